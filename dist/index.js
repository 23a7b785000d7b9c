import { createRequire as __perfgateCreateRequire } from 'node:module'
const require = __perfgateCreateRequire(import.meta.url)
import { e as eventFileProblem } from './pipeline.js';
import 'node:fs';

// main.ts is loaded only once the event file is known to parse (see event-file.ts).
const problem = eventFileProblem(process.env);
if (problem) {
    process.stdout.write(`::error::${problem}\n`);
    process.exitCode = 1;
}
else {
    const { run } = await import('./pipeline3.js');
    await run();
}
//# sourceMappingURL=index.js.map
