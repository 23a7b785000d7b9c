import { createRequire as __perfgateCreateRequire } from 'node:module'
const require = __perfgateCreateRequire(import.meta.url)
import { q as commentMarker, s as isReadOnlyTokenError, u as describeError, v as downloadArtifactFiles, x as parseRecord, R as RecordError, y as artifactNameFor, l as loadPlan, z as createOctokit, A as info, n as formatProgress, i as isShardRun, r as runShard, B as warning, C as setOutput, m as mergeShards, e as finishPipeline, h as runPipeline, D as debug, E as setFailed, o as oneLine, I as INPUT_NAMES, F as getInput, S as SECRET_INPUTS, G as secretParts, H as setSecret, w as writeReportFiles, J as uploadReportArtifact, K as saveBranchBaseline } from './pipeline.js';
import { stat, appendFile } from 'node:fs/promises';
import 'node:path';
import 'node:stream';
import 'node:stream/promises';
import { readFileSync } from 'node:fs';
import 'process';
import 'buffer';
import 'node:child_process';
import 'node:zlib';
import 'node:util';
import 'node:crypto';
import 'node:os';
import 'os';
import 'crypto';
import 'fs';
import 'path';
import 'http';
import 'https';
import 'net';
import 'tls';
import 'events';
import 'assert';
import 'util';
import 'node:assert';
import 'node:net';
import 'node:http';
import 'node:buffer';
import 'node:querystring';
import 'node:events';
import 'node:diagnostics_channel';
import 'node:tls';
import 'node:perf_hooks';
import 'node:util/types';
import 'node:worker_threads';
import 'node:url';
import 'node:async_hooks';
import 'node:console';
import 'node:dns';
import 'string_decoder';
import 'child_process';
import 'timers';
import 'stream';
import 'util/types';
import 'dns';
import 'tty';
import 'zlib';
import 'node:module';
import 'node:process';
import 'node:https';
import 'url';
import 'fs/promises';
import 'constants';
import 'node:string_decoder';

// What the runner tells us about this run: repository, event, PR, shas, run URL. Read once from
// the environment and the event payload (GITHUB_EVENT_PATH) into a small typed value.
/** Reads the GitHub Actions context from `env` (and the event file it names). */
function readGitHubContext(env = process.env) {
    let event = {};
    if (env.GITHUB_EVENT_PATH) {
        try {
            const parsed = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
            if (typeof parsed === 'object' && parsed !== null)
                event = parsed;
        }
        catch {
            // No payload (a local run, or the file is gone): the environment alone still says a lot.
        }
    }
    const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
    const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
    const runId = toNumber(env.GITHUB_RUN_ID);
    const pull = (event.pull_request ?? event.pull_request_target);
    const prFromRef = toNumber(/^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1]);
    const prNumber = pull?.number ?? (typeof event.number === 'number' ? event.number : undefined) ?? prFromRef;
    const headFull = pull?.head?.repo?.full_name;
    const baseFull = pull?.base?.repo?.full_name;
    const runAttempt = toNumber(env.GITHUB_RUN_ATTEMPT);
    const headSha = pull?.head?.sha ?? env.GITHUB_SHA;
    const baseRef = pull?.base?.ref ?? nonEmpty(env.GITHUB_BASE_REF);
    const headRef = pull?.head?.ref ?? nonEmpty(env.GITHUB_HEAD_REF);
    return {
        owner,
        repo,
        apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
        serverUrl,
        eventName: env.GITHUB_EVENT_NAME ?? '',
        event,
        ...(runId !== undefined ? { runId } : {}),
        ...(runAttempt !== undefined ? { runAttempt } : {}),
        ...(runId !== undefined && owner
            ? { runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` }
            : {}),
        ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
        ...(headSha ? { headSha } : {}),
        ...(prNumber !== undefined ? { prNumber } : {}),
        ...(baseRef ? { baseRef } : {}),
        ...(headRef ? { headRef } : {}),
        ...(env.GITHUB_REF_NAME ? { refName: env.GITHUB_REF_NAME } : {}),
        // A deleted fork has head.repo null: still a fork.
        fork: pull !== undefined && baseFull !== undefined && headFull !== baseFull,
        ...(env.GITHUB_WORKSPACE ? { workspace: env.GITHUB_WORKSPACE } : {}),
        ...(env.GITHUB_WORKFLOW_REF ? { workflowRef: env.GITHUB_WORKFLOW_REF } : {}),
    };
}
function toNumber(value) {
    if (value === undefined || value === '')
        return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
}
function nonEmpty(value) {
    return value ? value : undefined;
}

/** GitHub rejects comment bodies longer than this (422). */
const MAX_COMMENT_CHARS = 65536;
class CommentTooLongError extends Error {
    name = 'CommentTooLongError';
}
/** The body sent to GitHub: the marker line, then the rendered comment. */
function stickyBody(reportName, body) {
    const marker = commentMarker(reportName);
    // A body that already carries a perfgate marker (a re-post, or an artifact from elsewhere) keeps only ours.
    const rest = body.replace(/^<!-- perfgate:report-name=[^\n]*-->\n?/gm, '');
    return `${marker}\n${rest}`;
}
/**
 * Creates or updates the report's sticky comment on a PR. Reads every page of comments; when
 * several carry the marker (left by an old bug or a race), the newest is updated and none is
 * deleted. A read-only token (fork PR) yields `{ skipped }`; so does nothing else — other errors throw.
 */
async function upsertStickyComment(octokit, target) {
    const { owner, repo, issueNumber, reportName } = target;
    const body = stickyBody(reportName, target.body);
    if (body.length > MAX_COMMENT_CHARS)
        throw new CommentTooLongError(`the ${reportName} comment is ${body.length} characters, over GitHub's ${MAX_COMMENT_CHARS}: the report must be trimmed before posting`);
    const marker = commentMarker(reportName);
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: issueNumber,
        per_page: 100,
    });
    // The marker must open the body: a reply quoting our comment starts with `>` and is not ours.
    const ours = comments.filter((c) => (c.body ?? '').startsWith(marker)).sort((a, b) => b.id - a.id);
    try {
        const newest = ours[0];
        if (newest) {
            const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: newest.id, body });
            return { url: data.html_url, id: data.id, action: 'updated', duplicates: ours.length - 1 };
        }
        const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
        return { url: data.html_url, id: data.id, action: 'created', duplicates: 0 };
    }
    catch (error) {
        if (isReadOnlyTokenError(error))
            return {
                skipped: `the token cannot write PR comments (${describeError(error)}); a fork's pull_request run gets a read-only token: the report is in the job summary, and \`mode: comment\` in a workflow_run workflow can post it`,
            };
        throw error;
    }
}

// The job summary: appended to the file GITHUB_STEP_SUMMARY names, within GitHub's 1 MiB per step.
/** GitHub refuses to show a step summary over 1 MiB. */
const MAX_SUMMARY_BYTES = 1024 * 1024;
const SUMMARY_TRIMMED_NOTE = '\n\n> **Trimmed:** the job summary is limited to 1 MiB; the full report is in the run artifact.\n';
/** Cuts markdown to at most `maxBytes` UTF-8 bytes (note included), at a line end when there is one. */
function trimToBytes(markdown, maxBytes, note = SUMMARY_TRIMMED_NOTE) {
    if (Buffer.byteLength(markdown) <= maxBytes)
        return { text: markdown, trimmed: false };
    const room = Math.max(0, maxBytes - Buffer.byteLength(note));
    // Decoding a cut buffer may end in half a character: drop the replacement character it becomes.
    let cut = Buffer.from(markdown)
        .subarray(0, room)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
    const lineEnd = cut.lastIndexOf('\n');
    if (lineEnd > room / 2)
        cut = cut.slice(0, lineEnd);
    return { text: `${cut}${note}`, trimmed: true };
}
/** Appends the summary to GITHUB_STEP_SUMMARY, trimmed (with a note) to what is left of 1 MiB. */
async function writeJobSummary(markdown, env = process.env) {
    const file = env.GITHUB_STEP_SUMMARY;
    if (!file)
        return { skipped: 'GITHUB_STEP_SUMMARY is not set (not running on a GitHub runner)' };
    const used = await stat(file).then((s) => s.size, () => 0);
    const room = MAX_SUMMARY_BYTES - used;
    if (room < Buffer.byteLength(SUMMARY_TRIMMED_NOTE) + 1)
        return { skipped: `the step summary already holds ${used} bytes of its 1 MiB` };
    const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
    const trimmed = trimToBytes(text, room);
    await appendFile(file, trimmed.text);
    return { file, bytes: Buffer.byteLength(trimmed.text), trimmed: trimmed.trimmed };
}

const MAX_STATUS_DESCRIPTION = 140;
function statusContext(reportName) {
    return `perfgate/${reportName}`;
}
/** Shortens a description to GitHub's 140 characters, ending with an ellipsis when cut. */
function statusDescription(text) {
    const oneLine = text.replace(/\s+/g, ' ').trim();
    const chars = [...oneLine];
    return chars.length <= MAX_STATUS_DESCRIPTION
        ? oneLine
        : `${chars.slice(0, MAX_STATUS_DESCRIPTION - 1).join('')}…`;
}
/** Sets the report's commit status; a read-only token yields `{ skipped }`. */
async function setCommitStatus(octokit, target) {
    const context = statusContext(target.reportName);
    try {
        await octokit.rest.repos.createCommitStatus({
            owner: target.owner,
            repo: target.repo,
            sha: target.sha,
            state: target.state,
            context,
            description: statusDescription(target.description),
            ...(target.targetUrl ? { target_url: target.targetUrl } : {}),
        });
        return { context, state: target.state };
    }
    catch (error) {
        if (isReadOnlyTokenError(error))
            return { skipped: `the token cannot set commit statuses (${describeError(error)})` };
        throw error;
    }
}

// `mode: comment`, the fork-safe half of publishing. A fork's pull_request run has a read-only
// token, so it only renders the report into its artifact. A workflow_run workflow (base repository
// code, write token) then runs this: it finds the PR from trusted data (the workflow_run event and
// the pulls API, never from the artifact), downloads the artifact, checks that the record inside
// belongs to that PR and commit (a fork's code controls what it uploads), then posts the sticky
// comment and sets the commit status.
const RESULT_FILE = 'result.json';
/** The rendered PR comment the pull_request run saves beside result.json. */
const COMMENT_FILE = 'comment.md';
/** Runs `mode: comment` for the workflow_run event in `input.ctx`. Refusals and skips are returned, not thrown. */
async function runCommentMode(input, deps) {
    const { ctx, reportName } = input;
    const { octokit } = deps;
    const log = deps.log ?? (() => { });
    if (ctx.eventName !== 'workflow_run')
        return {
            skipped: `mode: comment runs in a workflow_run workflow, not on ${ctx.eventName || 'this event'}`,
        };
    const run = (ctx.event.workflow_run ?? {});
    if (typeof run.id !== 'number' || typeof run.head_sha !== 'string')
        return { skipped: 'the workflow_run event has no run id or head sha' };
    const runId = run.id;
    const headSha = run.head_sha;
    if (run.event !== 'pull_request' && run.event !== 'pull_request_target')
        return {
            skipped: `run ${runId} was triggered by ${run.event ?? 'an unknown event'}, not a pull request`,
            runId,
        };
    // 1. The PR, from trusted data only.
    const pr = await pullRequestOf(octokit, ctx, run);
    if (pr === undefined)
        return { skipped: `no open pull request has head ${headSha.slice(0, 7)} (run ${runId})`, runId };
    // 2. The artifact of that run.
    const name = artifactNameFor(reportName);
    const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({
        owner: ctx.owner,
        repo: ctx.repo,
        run_id: runId,
        name,
        per_page: 100,
    });
    const artifact = data.artifacts.filter((a) => a.name === name && !a.expired).sort((a, b) => b.id - a.id)[0];
    if (!artifact)
        return {
            skipped: `run ${runId} has no ${name} artifact (did perfgate run there, with the same report-name?)`,
            runId,
        };
    let files;
    try {
        files = await downloadArtifactFiles(octokit, { owner: ctx.owner, repo: ctx.repo, artifactId: artifact.id }, [RESULT_FILE, COMMENT_FILE], deps.fetch ? { fetch: deps.fetch } : {});
    }
    catch (error) {
        return {
            refused: `could not read the ${name} artifact of run ${runId}: ${describeError(error)}`,
            runId,
            pr,
        };
    }
    const resultText = files.get(RESULT_FILE);
    const comment = files.get(COMMENT_FILE);
    if (!resultText || !comment)
        return {
            refused: `the ${name} artifact of run ${runId} lacks ${!resultText ? RESULT_FILE : COMMENT_FILE}`,
            runId,
            pr,
        };
    // 3. The record must belong to that PR and commit.
    let record;
    try {
        record = parseRecord(resultText.toString('utf8'), `${RESULT_FILE} of run ${runId}`);
    }
    catch (error) {
        if (error instanceof RecordError)
            return { refused: error.message, runId, pr };
        throw error;
    }
    const mismatch = await recordMismatch(octokit, ctx, record, { pr, headSha, runId });
    if (mismatch)
        return { refused: `the ${name} artifact of run ${runId} ${mismatch}: nothing posted`, runId, pr };
    // 4. Post and set the status.
    let posted;
    try {
        posted = await upsertStickyComment(octokit, {
            owner: ctx.owner,
            repo: ctx.repo,
            issueNumber: pr,
            reportName,
            body: comment.toString('utf8'),
        });
    }
    catch (error) {
        if (error instanceof CommentTooLongError)
            return { refused: error.message, runId, pr };
        throw error;
    }
    if ('skipped' in posted)
        log(`perfgate comment: ${posted.skipped}`);
    else
        log(`perfgate comment ${posted.action}: ${posted.url}`);
    const verdict = verdictOf(run.conclusion);
    const status = await setCommitStatus(octokit, {
        owner: ctx.owner,
        repo: ctx.repo,
        sha: headSha,
        reportName,
        state: verdict.state,
        description: verdict.description,
        targetUrl: 'url' in posted ? posted.url : (run.html_url ?? ctx.runUrl ?? ''),
    });
    return { pr, headSha, runId, artifactId: artifact.id, record, comment: posted, status };
}
/** The PR whose head is the run's head commit: from the event, else from the open PRs (forks are only there). */
async function pullRequestOf(octokit, ctx, run) {
    const fromEvent = (run.pull_requests ?? []).find((p) => p.head?.sha === run.head_sha && typeof p.number === 'number');
    if (fromEvent?.number !== undefined)
        return fromEvent.number;
    const open = await octokit.paginate(octokit.rest.pulls.list, {
        owner: ctx.owner,
        repo: ctx.repo,
        state: 'open',
        per_page: 100,
    });
    const headRepo = run.head_repository?.full_name;
    const matches = open.filter((p) => p.head.sha === run.head_sha && (!headRepo || p.head.repo?.full_name === headRepo));
    // Two open PRs with the same head (one branch into two bases) are ambiguous: post to none.
    return matches.length === 1 ? matches[0].number : undefined;
}
/** Why the record does not belong to the PR and commit of the run, or undefined when it does. */
async function recordMismatch(octokit, ctx, record, expected) {
    const git = record.meta.git ?? {};
    if (git.pr !== expected.pr)
        return `names PR ${git.pr === undefined ? '(none)' : `#${git.pr}`}, but the run is for PR #${expected.pr}`;
    const runId = record.meta.workflow?.runId;
    if (runId !== undefined && runId !== expected.runId)
        return `was written by run ${runId}, not run ${expected.runId}`;
    if (!git.sha)
        return 'names no commit';
    if (git.sha === expected.headSha)
        return undefined;
    // A pull_request run's GITHUB_SHA is the PR's test merge commit: accept it when one of its parents is the head.
    try {
        const { data } = await octokit.rest.repos.getCommit({ owner: ctx.owner, repo: ctx.repo, ref: git.sha });
        if (data.parents.some((p) => p.sha === expected.headSha))
            return undefined;
    }
    catch {
        // An unknown commit is a mismatch.
    }
    return `names commit ${git.sha.slice(0, 7)}, which is neither head ${expected.headSha.slice(0, 7)} nor its merge commit`;
}
function verdictOf(conclusion) {
    if (conclusion === 'success')
        return { state: 'success', description: 'perfgate: within SLOs and baseline' };
    if (conclusion === 'failure')
        return {
            state: 'failure',
            description: 'perfgate: SLO broken or regression found (see the report comment)',
        };
    return {
        state: 'error',
        description: `perfgate: the pull_request run ended ${conclusion ?? 'without a conclusion'}`,
    };
}

// The action's front door: only this module touches @actions/core. It reads the inputs, runs the
// pipeline, publishes (artifact, job summary, sticky comment), sets outputs and turns the gate or
// any error into setFailed with one line.
function readInputs() {
    const inputs = {};
    for (const name of INPUT_NAMES)
        inputs[name] = getInput(name);
    // Mask before anything can print them.
    for (const name of SECRET_INPUTS)
        secretParts(inputs[name]).forEach((part) => setSecret(part));
    return inputs;
}
async function run() {
    let debug$1 = false;
    try {
        const inputs = readInputs();
        debug$1 = /^(true|1|yes)$/i.test(inputs.debug ?? '');
        const plan = await loadPlan(inputs, { cwd: process.cwd(), env: process.env });
        const context = readGitHubContext(process.env);
        const token = inputs['github-token']?.trim();
        const octokit = token
            ? createOctokit({ token, baseUrl: context.apiUrl, log: (line) => info(line) })
            : undefined;
        if (plan.mode === 'comment')
            return await commentMode(plan, context, octokit);
        const deps = {
            env: process.env,
            log: (line) => info(line),
            onProgress: (p) => info(formatProgress(p)),
            github: { context, baselineDeps: { ...(octokit ? { octokit } : {}) } },
        };
        if (isShardRun(plan)) {
            // A shard's numbers are a fraction of the test: it uploads its record for the merge job, no gate.
            const shard = await runShard(plan, deps, { warn: (line) => warning(line) });
            setOutput('verdict', 'shard');
            setOutput('result-path', shard.resultPath);
            return;
        }
        let outcome;
        if (plan.mode === 'merge') {
            if (!octokit)
                throw new Error('mode merge needs the github-token input to download the shard artifacts');
            const merged = await mergeShards(plan, { octokit, context }, (line) => info(line));
            outcome = await finishPipeline(merged, plan, deps);
        }
        else {
            outcome = await runPipeline(plan, deps);
        }
        await publish(plan, outcome, context, octokit);
    }
    catch (error) {
        if (debug$1 && error instanceof Error && error.stack)
            debug(error.stack);
        setFailed(oneLine(error));
    }
}
async function publish(plan, outcome, context, octokit) {
    // The reports go into the artifact, so they are written first; they link to the run's artifacts.
    const reports = await writeReportFiles(outcome, plan, { ...(context.runUrl ? { runUrl: context.runUrl, artifactUrl: `${context.runUrl}#artifacts` } : {}) }, (line) => info(line));
    const artifact = await uploadReportArtifact(plan.outputDir, plan.reportName, {
        env: process.env,
        warn: (line) => warning(line),
    }).catch((error) => ({ failed: oneLine(error) }));
    if ('failed' in artifact)
        info(`artifact: ${artifact.failed}`);
    const summary = await writeJobSummary(reports.summary, process.env);
    if ('skipped' in summary)
        info(`job summary: ${summary.skipped}`);
    let commentUrl = '';
    if (context.prNumber !== undefined && octokit) {
        try {
            const comment = await upsertStickyComment(octokit, {
                owner: context.owner,
                repo: context.repo,
                issueNumber: context.prNumber,
                reportName: plan.reportName,
                body: reports.comment,
            });
            if ('skipped' in comment) {
                warning(`PR comment not posted (${comment.skipped}); the report is in the job summary. For fork pull requests use mode: comment (examples/perf-fork-comment.yml).`);
            }
            else {
                commentUrl = comment.url;
                info(`PR comment ${comment.action}: ${comment.url}`);
            }
        }
        catch (error) {
            warning(`PR comment not posted: ${oneLine(error)}; the report is in the job summary`);
        }
    }
    else if (context.prNumber === undefined) {
        info('not a pull request run: the report is in the job summary and the artifact');
    }
    if (plan.baseline.kind === 'branch' && context.eventName === 'push') {
        const saved = await saveBranchBaseline(outcome.record, plan, context, {
            ...(octokit ? { octokit } : {}),
        }).catch((error) => ({ skipped: oneLine(error) }));
        info('skipped' in saved ? `baseline branch: not saved (${saved.skipped})` : 'baseline branch: record saved');
    }
    const { gate } = outcome;
    setOutput('verdict', gate.verdict);
    setOutput('report-path', reports.paths.markdown);
    setOutput('result-path', outcome.resultPath);
    setOutput('comment-url', commentUrl);
    setOutput('regressions', String(gate.regressions.length));
    info(`perfgate verdict: ${gate.verdict}${gate.reasons.length ? ` — ${gate.reasons.join('; ')}` : ''}`);
    if (gate.failed)
        setFailed(gate.reasons[0] ?? 'perfgate gate failed');
}
async function commentMode(plan, context, octokit) {
    if (!octokit)
        throw new Error('mode comment needs the github-token input');
    const result = await runCommentMode({ reportName: plan.reportName, ctx: context }, { octokit, log: (l) => info(l) });
    if ('refused' in result) {
        setOutput('verdict', 'refused');
        throw new Error(`mode comment refused the report: ${result.refused}`);
    }
    if ('skipped' in result) {
        info(`mode comment: nothing to post (${result.skipped})`);
        setOutput('verdict', 'skipped');
        return;
    }
    setOutput('comment-url', 'url' in result.comment ? result.comment.url : '');
    info(`mode comment: posted the report of run ${result.runId} on PR #${result.pr}`);
}

await run();
//# sourceMappingURL=index.js.map
