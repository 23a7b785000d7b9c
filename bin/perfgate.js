#!/usr/bin/env node
// The CLI is bundled like the action, so `npx perfgate` needs no build step.
import '../dist/cli.js'
