import { createRequire as __perfgateCreateRequire } from 'node:module'
const require = __perfgateCreateRequire(import.meta.url)
import { c as core } from './pipeline7.js';
import { o as oneLine, S as SecretScrubber, i as inputSecrets, a as SECRET_INPUTS, l as loadPlan, I as INPUT_NAMES } from './pipeline3.js';
import { x as isReadOnlyTokenError, y as describeError, z as commentMarker, A as parseRecord, R as RecordError, i as isUnavailable, s as judgeRecord, C as buildReportModel, D as safeUrl, E as renderComment, F as COMMENT_LIMIT, G as newestAttemptFirst, H as downloadArtifactFiles, I as findBaseline, J as artifactNameFor, h as handleInterrupts, S as StageTimeline, l as debugRequested, K as secretsOf, L as createOctokit, v as formatProgress, e as isShardRun, m as mergeShards, r as runShard, j as finishPipeline, k as runPipeline, n as collectorLines, w as writeReportFiles, u as recordStages, M as uploadReportArtifact, N as saveBranchBaseline } from './pipeline4.js';
import 'node:buffer';
import 'node:zlib';
import { stat, appendFile } from 'node:fs/promises';
import 'node:path';
import 'node:stream';
import 'node:stream/promises';
import './pipeline2.js';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
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
import 'string_decoder';
import 'child_process';
import 'timers';
import 'process';
import 'buffer';
import 'node:child_process';
import 'node:util';
import 'node:os';
import 'node:net';
import 'util/types';
import 'dns';
import 'stream';
import 'node:tls';
import 'node:string_decoder';
import 'node:assert';
import 'node:http';
import 'node:querystring';
import 'node:events';
import 'node:diagnostics_channel';
import 'node:perf_hooks';
import 'node:util/types';
import 'node:worker_threads';
import 'node:url';
import 'node:async_hooks';
import 'node:console';
import 'node:dns';
import 'tty';
import 'zlib';

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

/** GitHub rejects comment bodies longer than this (422). */
const MAX_COMMENT_CHARS = 65536;
class CommentTooLongError extends Error {
    name = 'CommentTooLongError';
}
/** The login of the bot GITHUB_TOKEN acts as; also the last resort when GitHub cannot say. */
const ACTIONS_BOT = 'github-actions[bot]';
const logins = new WeakMap();
/**
 * The login the token of `octokit` writes comments as. `GET /user` names a personal access token's
 * user; an app installation token (GITHUB_TOKEN, a GitHub App's token) gets 403 there and
 * `GET /app` needs the app's JWT, so GraphQL `viewer` names its bot (`github-actions[bot]`,
 * `<app-slug>[bot]`). When neither answers, `github-actions[bot]`: only this repository's own
 * workflows write as that bot. Asked once per client.
 */
function tokenLogin(octokit) {
    let login = logins.get(octokit);
    if (!login) {
        login = askLogin(octokit);
        logins.set(octokit, login);
    }
    return login;
}
async function askLogin(octokit) {
    try {
        const { data } = await octokit.rest.users.getAuthenticated();
        if (data.login)
            return data.login;
    }
    catch {
        // An installation token: 403 "Resource not accessible by integration". Asked below.
    }
    try {
        const data = await octokit.graphql('query { viewer { login } }');
        const login = data.viewer?.login;
        // An installation token acts as a bot, whose comments carry the `[bot]` suffix.
        if (login)
            return login.endsWith('[bot]') ? login : `${login}[bot]`;
    }
    catch {
        // Unknown identity: fall back below.
    }
    return ACTIONS_BOT;
}
/** True for a comment of ours: written by `author`, opening with the marker (a quoting reply starts with `>`). */
function isOurComment(comment, marker, author) {
    return comment.user?.login === author && (comment.body ?? '').startsWith(marker);
}
/** The body sent to GitHub: the marker line, then the rendered comment. */
function stickyBody(reportName, body) {
    const marker = commentMarker(reportName);
    // A body that already carries a perfgate marker (a re-post, or an artifact from elsewhere) keeps only ours.
    const rest = body.replace(/^<!-- perfgate:report-name=[^\n]*-->\n?/gm, '');
    return `${marker}\n${rest}`;
}
/**
 * Creates or updates the report's sticky comment on a PR. Reads every page of comments; only the
 * token's own marked comments count (others' are never edited and do not stop ours being
 * created); when several are ours (left by an old bug or a race), the newest is updated and none
 * is deleted. A read-only token (fork PR) yields `{ skipped }`; so does nothing else — other errors throw.
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
    const author = target.author ?? (await tokenLogin(octokit));
    const ours = comments.filter((c) => isOurComment(c, marker, author)).sort((a, b) => b.id - a.id);
    try {
        const newest = ours[0];
        if (newest && target.keepExisting?.(newest.body ?? ''))
            return { url: newest.html_url, id: newest.id, action: 'unchanged', duplicates: ours.length - 1 };
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

// Reading the result.json of a fork's artifact in `mode: comment`. A fork's code decides every
// byte of it, so it is checked here, in one place, before anything reads it: the record check
// every loader uses (schema, top-level parts), then the shape of what the gate and the comment
// read (load rows, plan, findings), so a hostile record is refused in one line instead of
// crashing the judge or the renderer. When records get a deep schema validator, it replaces
// `parseRecord` + `checkShape` here.
/** Parses and checks the fork's result.json; throws RecordError naming the field that is wrong. */
function readForkRecord(text, source) {
    const record = parseRecord(text, source);
    const problem = checkShape(record);
    if (problem)
        throw new RecordError(`${source} is malformed: ${problem}`);
    return record;
}
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v, path) => typeof v === 'number' && Number.isFinite(v) ? undefined : `${path} must be a finite number`;
const text = (v, path) => (typeof v === 'string' ? undefined : `${path} must be a string`);
const optional = (check) => (v, path) => v === undefined ? undefined : check(v, path);
const positiveInt = (v, path) => Number.isSafeInteger(v) && v > 0 ? undefined : `${path} must be a positive integer`;
function fields(spec) {
    return (v, path) => {
        if (!isObject(v))
            return `${path} must be an object`;
        for (const [key, check] of Object.entries(spec)) {
            const problem = check(v[key], `${path}.${key}`);
            if (problem)
                return problem;
        }
        return undefined;
    };
}
function listOf(check, max = 100_000) {
    return (v, path) => {
        if (!Array.isArray(v))
            return `${path} must be a list`;
        if (v.length > max)
            return `${path} has ${v.length} entries, more than ${max}`;
        for (let i = 0; i < v.length; i++) {
            const problem = check(v[i], `${path}[${i}]`);
            if (problem)
                return problem;
        }
        return undefined;
    };
}
const latency = fields({ p50Ms: finite, p90Ms: finite, p95Ms: finite, p99Ms: finite, maxMs: finite });
const window = fields({ startMs: finite, count: finite, errors: finite, p95Ms: finite, histogram: text });
const endpoint = fields({
    name: text,
    count: finite,
    rps: finite,
    errors: finite,
    errorRate: finite,
    duration: latency,
    histogram: text,
    windows: listOf(window),
    statuses: (v, path) => (isObject(v) ? undefined : `${path} must be an object`),
});
const load = fields({
    durationS: finite,
    overall: endpoint,
    endpoints: listOf(endpoint),
    k6Summary: optional(text),
    partial: optional(text),
});
const plan = fields({
    scenario: text,
    vus: finite,
    durationS: finite,
    endpoints: listOf(fields({ name: text, method: text, route: text })),
});
const oneOf = (...allowed) => (v, path) => allowed.includes(v) ? undefined : `${path} must be one of ${allowed.join(', ')}`;
const finding = fields({
    kind: text,
    title: text,
    detail: text,
    fix: text,
    tier: oneOf(1, 2, 3, 4),
    effort: oneOf('low', 'medium', 'high'),
    impact: optional(finite),
    location: optional(text),
    endpoint: optional(text),
});
const meta = fields({
    toolVersion: text,
    startedAt: text,
    targetUrl: text,
    git: fields({ sha: text, pr: positiveInt }),
    workflow: fields({ runId: positiveInt, runAttempt: optional(positiveInt) }),
});
/** What is wrong with the parts the gate and the comment read, or undefined. */
function checkShape(record) {
    return (meta(record.meta, 'meta') ??
        plan(record.plan, 'plan') ??
        (isUnavailable(record.load) ? undefined : load(record.load, 'load')) ??
        listOf(finding)(record.findings, 'findings') ??
        optional((v, path) => (isObject(v) ? undefined : `${path} must be an object`))(record.analysis, 'analysis'));
}

/** Room left for the characters defuseLinks inserts (one per bare URL). */
const DEFUSE_SLACK = 4096;
/** Judges `record` with `plan` and `baseline`, and renders its comment with only `links` clickable. Pure. */
function judgeForkRecord(record, plan, baseline, links) {
    // The record's own analysis output is data like the rest: rendered escaped, never trusted as markup.
    const { slos, comparison, gate } = judgeRecord(record, plan, baseline);
    const model = buildReportModel({
        record,
        ...(baseline.baseline ? { baseline: baseline.baseline } : {}),
        comparison,
        slos,
        gate,
        links,
        reportName: plan.reportName,
    });
    const trusted = [links.runUrl, links.artifactUrl].map(safeUrl).filter((u) => !!u);
    const comment = defuseLinks(renderComment(model, COMMENT_LIMIT - DEFUSE_SLACK), trusted);
    return { slos, comparison, gate, comment };
}
/**
 * Breaks every bare URL GitHub would autolink (`http://`, `https://`, `www.`) with a zero-width
 * space, except the `trusted` ones perfgate put there itself. The text still reads the same.
 */
function defuseLinks(markdown, trusted) {
    const kept = [];
    let out = markdown;
    // Longest first, so a URL that prefixes another does not split it.
    for (const url of [...new Set(trusted)].sort((a, b) => b.length - a.length)) {
        out = out.split(url).join(`\uE000${kept.length}\uE001`);
        kept.push(url);
    }
    out = out
        .replace(/\b(https?):(?=\/\/)/gi, '$1:\u200b')
        .replace(/\b(www)\./gi, '$1\u200b.')
        .replace(/\uE000(\d+)\uE001/g, (_m, i) => kept[Number(i)] ?? '');
    return out;
}

const RESULT_FILE = 'result.json';
/** Runs `mode: comment` for the workflow_run event in `input.ctx`. Refusals and skips are returned, not thrown. */
async function runCommentMode(input, deps) {
    const { ctx, plan } = input;
    const { octokit } = deps;
    const log = deps.log ?? (() => { });
    const trusted = await trustedRunOf(octokit, ctx);
    if ('skipped' in trusted)
        return trusted;
    const { runId, pr, headSha } = trusted;
    const artifact = await readForkArtifact(octokit, ctx, plan.reportName, trusted, deps);
    if (!('record' in artifact))
        return artifact;
    const { record } = artifact;
    const mismatch = await recordMismatch(octokit, ctx, record, trusted);
    if (mismatch)
        return { refused: `the ${artifact.name} artifact of run ${runId} ${mismatch}: nothing posted`, runId, pr };
    const baseline = await baselineFor(plan, ctx, trusted, deps);
    let report;
    try {
        const runUrl = trusted.runUrl ?? `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${runId}`;
        report = judgeForkRecord(record, plan, baseline, { runUrl, artifactUrl: `${runUrl}#artifacts` });
    }
    catch (error) {
        // A record that passed the checks but still breaks the judge or renderer is refused, not posted.
        return {
            refused: `the ${artifact.name} artifact of run ${runId} could not be judged: ${oneLine(error)}`,
            runId,
            pr,
        };
    }
    log(`perfgate comment: re-judged run ${runId}: ${report.gate.verdict} (baseline: ${baseline.source})`);
    let posted;
    try {
        posted = await upsertStickyComment(octokit, {
            owner: ctx.owner,
            repo: ctx.repo,
            issueNumber: pr,
            reportName: plan.reportName,
            body: report.comment,
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
    const verdict = statusOf(report.gate);
    const status = await setCommitStatus(octokit, {
        owner: ctx.owner,
        repo: ctx.repo,
        sha: headSha,
        reportName: plan.reportName,
        state: verdict.state,
        description: verdict.description,
        targetUrl: 'url' in posted ? posted.url : (trusted.runUrl ?? ctx.runUrl ?? ''),
    });
    return {
        pr,
        headSha,
        runId,
        artifactId: artifact.artifactId,
        record,
        gate: report.gate,
        baselineSource: baseline.source,
        comment: posted,
        status,
    };
}
/** The run, its attempt and its PR, from the workflow_run event and the API only. */
async function trustedRunOf(octokit, ctx) {
    if (ctx.eventName !== 'workflow_run')
        return {
            skipped: `mode: comment runs in a workflow_run workflow, not on ${ctx.eventName || 'this event'}`,
        };
    const run = (ctx.event.workflow_run ?? {});
    if (typeof run.id !== 'number' || typeof run.head_sha !== 'string')
        return { skipped: 'the workflow_run event has no run id or head sha' };
    const runId = run.id;
    if (run.event !== 'pull_request' && run.event !== 'pull_request_target')
        return {
            skipped: `run ${runId} was triggered by ${run.event ?? 'an unknown event'}, not a pull request`,
            runId,
        };
    const pull = await pullRequestOf(octokit, ctx, run);
    if (pull === undefined)
        return { skipped: `no open pull request has head ${run.head_sha.slice(0, 7)} (run ${runId})`, runId };
    return {
        runId,
        headSha: run.head_sha,
        attempt: typeof run.run_attempt === 'number' && run.run_attempt > 0 ? run.run_attempt : 1,
        pr: pull.number,
        ...(pull.baseRef ? { baseRef: pull.baseRef } : {}),
        ...(typeof run.html_url === 'string' ? { runUrl: run.html_url } : {}),
    };
}
/** The newest attempt's report artifact of the run, and the record in it, checked. */
async function readForkArtifact(octokit, ctx, reportName, run, deps) {
    const { runId, pr } = run;
    const base = artifactNameFor(reportName);
    const all = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
        owner: ctx.owner,
        repo: ctx.repo,
        run_id: runId,
        per_page: 100,
    });
    const artifact = newestAttemptFirst(all.filter((a) => !a.expired), base, run.attempt)[0];
    if (!artifact)
        return {
            skipped: `run ${runId} has no ${base} artifact (did perfgate run there, with the same report-name?)`,
            runId,
        };
    const name = artifact.name;
    let text;
    try {
        const files = await downloadArtifactFiles(octokit, { owner: ctx.owner, repo: ctx.repo, artifactId: artifact.id }, [RESULT_FILE], deps.fetch ? { fetch: deps.fetch } : {});
        text = files.get(RESULT_FILE);
    }
    catch (error) {
        return {
            refused: `could not read the ${name} artifact of run ${runId}: ${describeError(error)}`,
            runId,
            pr,
        };
    }
    if (!text)
        return { refused: `the ${name} artifact of run ${runId} lacks ${RESULT_FILE}`, runId, pr };
    try {
        return {
            record: readForkRecord(text.toString('utf8'), `${RESULT_FILE} of run ${runId}`),
            name,
            artifactId: artifact.id,
        };
    }
    catch (error) {
        if (error instanceof RecordError)
            return { refused: error.message, runId, pr };
        throw error;
    }
}
/**
 * The baseline of the PR's base branch, looked up as the PR run would have: the run's own
 * workflow, its base branch. Whatever fails becomes a note, as in the pipeline.
 */
async function baselineFor(plan, ctx, run, deps) {
    const { workflowRef: _ownWorkflow, ...rest } = ctx;
    const prCtx = {
        ...rest,
        eventName: 'pull_request',
        runId: run.runId,
        runAttempt: run.attempt,
        prNumber: run.pr,
        headSha: run.headSha,
        ...(run.baseRef ? { baseRef: run.baseRef } : {}),
    };
    return findBaseline(plan, prCtx, {
        octokit: deps.octokit,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(deps.log ? { log: deps.log } : {}),
    }).catch((error) => ({
        history: [],
        source: plan.baseline.kind,
        notes: [`no baseline: ${oneLine(error)}`],
    }));
}
/** The PR whose head is the run's head commit: from the event, else from the open PRs (forks are only there). */
async function pullRequestOf(octokit, ctx, run) {
    const fromEvent = (run.pull_requests ?? []).find((p) => p.head?.sha === run.head_sha && typeof p.number === 'number');
    if (fromEvent?.number !== undefined)
        return { number: fromEvent.number, ...(fromEvent.base?.ref ? { baseRef: fromEvent.base.ref } : {}) };
    const open = await octokit.paginate(octokit.rest.pulls.list, {
        owner: ctx.owner,
        repo: ctx.repo,
        state: 'open',
        per_page: 100,
    });
    const headRepo = run.head_repository?.full_name;
    const matches = open.filter((p) => p.head.sha === run.head_sha && (!headRepo || p.head.repo?.full_name === headRepo));
    // Two open PRs with the same head (one branch into two bases) are ambiguous: post to none.
    const only = matches.length === 1 ? matches[0] : undefined;
    return only ? { number: only.number, baseRef: only.base.ref } : undefined;
}
/** Why the record does not belong to the PR and commit of the run, or undefined when it does. */
async function recordMismatch(octokit, ctx, record, expected) {
    const git = record.meta.git ?? {};
    if (git.pr !== expected.pr)
        return `names PR ${git.pr === undefined ? '(none)' : `#${git.pr}`}, but the run is for PR #${expected.pr}`;
    const runId = record.meta.workflow?.runId;
    if (runId !== expected.runId)
        return `was written by run ${runId ?? '(none)'}, not run ${expected.runId}`;
    const attempt = record.meta.workflow?.runAttempt;
    if (attempt !== undefined && attempt > expected.attempt)
        return `names attempt ${attempt} of the run, which has had ${expected.attempt}`;
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
/** The commit status of the verdict judged here (the PR run's conclusion is the fork's to decide). */
function statusOf(gate) {
    const why = gate.reasons[0];
    if (gate.failed)
        return { state: 'failure', description: `perfgate: ${why ?? 'SLO broken or regression found'}` };
    if (gate.verdict === 'pass' && !why)
        return { state: 'success', description: 'perfgate: within SLOs and baseline' };
    return { state: 'success', description: `perfgate: ${gate.verdict}${why ? `, ${why}` : ''}` };
}

// When perfgate (re)writes the sticky comment, and whether it writes the job summary: the
// `comment` input (always | changes | never) and the `summary` input (true | false). For
// `changes`, the comment carries a hidden digest of what gates (the verdict, every SLO's status,
// every compared metric's verdict; not the numbers, which move on every run), and a rerun whose
// digest equals the previous comment's leaves the comment alone.
const COMMENT_POLICIES = ['always', 'changes', 'never'];
/** The `comment` input; empty means `always`. Throws one line naming the input and the values allowed. */
function parseCommentPolicy(value) {
    const text = (value ?? '').trim().toLowerCase();
    if (text === '')
        return 'always';
    if (COMMENT_POLICIES.includes(text))
        return text;
    throw new Error(`comment is "${value}": expected always, changes or never`);
}
/** The `summary` input; empty means true. */
function parseSummarySwitch(value) {
    const text = (value ?? '').trim().toLowerCase();
    if (text === '' || text === 'true')
        return true;
    if (text === 'false')
        return false;
    throw new Error(`summary is "${value}": expected true or false`);
}
/** `verdict:rows-hash`, e.g. `warn:3f2a…`: equal exactly when the verdict and every gated row's state are. */
function reportDigest(outcome) {
    const rows = [
        ...outcome.slos.map((s) => `slo ${s.id} ${s.status}`),
        ...outcome.comparison.rows.map((r) => `metric ${r.id} ${r.verdict}`),
    ].sort();
    const hash = createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16);
    return `${outcome.gate.verdict}:${hash}`;
}
const DIGEST_LINE = /^<!-- perfgate:digest=v1 ([a-z-]+:[0-9a-f]{16}) -->$/m;
/** The hidden line that carries the digest, placed right under the report-name marker. */
function digestLine(digest) {
    return `<!-- perfgate:digest=v1 ${digest} -->`;
}
/** The comment body with its digest line first (an older digest line is replaced). */
function withDigest(body, digest) {
    return `${digestLine(digest)}\n${body.replace(new RegExp(DIGEST_LINE.source + '\\n?', 'gm'), '')}`;
}
/** The digest a posted comment carries, or undefined (an older perfgate, or not ours). */
function digestOf(body) {
    return DIGEST_LINE.exec(body)?.[1];
}
/**
 * Whether an existing sticky comment may be left as it is: only under `changes`, and only when
 * it carries the same digest. A comment without a digest is rewritten (it cannot be compared).
 */
function keepsExistingComment(policy, existingBody, digest) {
    return policy === 'changes' && digestOf(existingBody) === digest;
}
/**
 * Posts (or keeps) the report's sticky comment as `policy` says: `never` posts nothing,
 * `changes` leaves an existing comment with the same digest alone, `always` rewrites it.
 */
async function postReportComment(octokit, target, policy, outcome) {
    if (policy === 'never')
        return { skipped: 'comment: never' };
    const digest = reportDigest(outcome);
    return upsertStickyComment(octokit, {
        ...target,
        body: withDigest(target.body, digest),
        keepExisting: (existing) => keepsExistingComment(policy, existing, digest),
    });
}

// The action's front door: only this module touches @actions/core. It reads the inputs, runs the
// pipeline, publishes (artifact, job summary, sticky comment), sets outputs and turns the gate or
// any error into setFailed with one line. The toolkit and the stages are passed in (ActionDeps),
// so tests drive it with a recording toolkit instead of a runner.
function defaultDeps() {
    return {
        core,
        env: process.env,
        cwd: process.cwd(),
        runPipeline,
        finishPipeline,
        runShard,
        mergeShards,
        runCommentMode,
    };
}
function readInputs(toolkit = core) {
    const inputs = {};
    for (const name of INPUT_NAMES)
        inputs[name] = toolkit.getInput(name);
    // Mask before anything can print them: secret inputs, credentials inside URL inputs, PERFGATE_TOKEN.
    for (const part of inputSecrets(inputs, SECRET_INPUTS, process.env))
        toolkit.setSecret(part);
    return inputs;
}
async function run(overrides = {}) {
    const deps = { ...defaultDeps(), ...overrides };
    const { core } = deps;
    let debug = false;
    let scrubber = new SecretScrubber([]);
    const interrupt = handleInterrupts((line) => core.info(line));
    // From the entry on, so the plan's own time is a stage too.
    const stages = new StageTimeline((line) => core.info(line));
    try {
        const inputs = readInputs(core);
        // The runner's own debug mode (re-run with debug logging) turns perfgate's on too.
        debug = debugRequested(inputs.debug, deps.env);
        scrubber = new SecretScrubber(inputSecrets(inputs, SECRET_INPUTS, deps.env));
        const publishing = {
            comment: parseCommentPolicy(inputs.comment),
            summary: parseSummarySwitch(inputs.summary),
            debug,
        };
        const plan = await loadPlan(inputs, { cwd: deps.cwd, env: deps.env });
        stages.ended('plan');
        // Everything the plan knows as secret (fixture tokens too) is masked in the log from here on.
        scrubber = secretsOf(plan, deps.env);
        for (const part of scrubber.values)
            core.setSecret(part);
        const context = readGitHubContext(deps.env);
        const token = inputs['github-token']?.trim();
        const octokit = token
            ? createOctokit({ token, baseUrl: context.apiUrl, log: (line) => core.info(line) })
            : undefined;
        if (plan.mode === 'comment')
            return await commentMode(deps, plan, context, octokit);
        const pipelineDeps = {
            env: deps.env,
            signal: interrupt.signal,
            log: (line) => core.info(line),
            onProgress: (p) => core.info(formatProgress(p)),
            stages,
            github: { context, baselineDeps: { ...(octokit ? { octokit } : {}) } },
        };
        if (isShardRun(plan)) {
            // A shard's numbers are a fraction of the test: it uploads its record for the merge job, no gate.
            const shard = await deps.runShard(plan, pipelineDeps, { warn: (line) => core.warning(line) });
            core.setOutput('verdict', 'shard');
            core.setOutput('result-path', shard.resultPath);
            return;
        }
        let outcome;
        if (plan.mode === 'merge') {
            if (!octokit)
                throw new Error('mode merge needs the github-token input to download the shard artifacts');
            const merged = await deps.mergeShards(plan, { octokit, context }, (line) => core.info(line));
            outcome = await deps.finishPipeline(merged, plan, pipelineDeps);
        }
        else {
            outcome = await deps.runPipeline(plan, pipelineDeps);
        }
        await publish(deps, plan, outcome, context, octokit, publishing, stages);
        stages.logOverhead();
    }
    catch (error) {
        // In the normal log: core.debug would hide it unless the runner's step debugging is on.
        if (debug && error instanceof Error && error.stack)
            core.info(scrubber.scrub(error.stack));
        core.setFailed(scrubber.scrub(oneLine(error)));
    }
    finally {
        // Interrupted: what was measured is published (partial), and the step ends with 130/143.
        const code = interrupt.exitCode();
        interrupt.dispose();
        if (code !== undefined) {
            core.setFailed(`perfgate was interrupted by ${interrupt.received()}: the record and report are partial`);
            process.exitCode = code;
        }
    }
}
async function publish({ core, env, artifactClient }, plan, outcome, context, octokit, publishing, stages) {
    if (publishing.debug)
        for (const line of collectorLines(outcome.record))
            core.info(line);
    // The reports go into the artifact, so they are written first; they link to the run's artifacts.
    const reports = await stages.time('render', () => writeReportFiles(outcome, plan, { ...(context.runUrl ? { runUrl: context.runUrl, artifactUrl: `${context.runUrl}#artifacts` } : {}) }, (line) => core.info(line)));
    // result.json goes into the artifact with the render stage; publish's own span (the upload is in
    // it) can only be added after it, to the runner's copy that result-path names.
    await recordStages(outcome, stages, (line) => core.info(line));
    try {
        await stages.time('publish', () => publishReports({ core, env, artifactClient }, plan, outcome, context, octokit, publishing, reports));
    }
    finally {
        await recordStages(outcome, stages, (line) => core.info(line));
    }
}
async function publishReports({ core, env, artifactClient }, plan, outcome, context, octokit, publishing, reports) {
    const artifact = await uploadReportArtifact(plan.outputDir, plan.reportName, {
        env,
        warn: (line) => core.warning(line),
        ...(artifactClient ? { client: artifactClient } : {}),
    }).catch((error) => ({ failed: oneLine(error) }));
    if ('failed' in artifact)
        core.info(`artifact: ${artifact.failed}`);
    const artifactId = 'id' in artifact && artifact.id !== undefined ? String(artifact.id) : '';
    const artifactUrl = artifactId && context.runUrl ? `${context.runUrl}/artifacts/${artifactId}` : '';
    if (publishing.summary) {
        const summary = await writeJobSummary(reports.summary, env);
        if ('skipped' in summary)
            core.info(`job summary: ${summary.skipped}`);
    }
    else
        core.info('job summary: not written (summary: false)');
    let commentUrl = '';
    if (publishing.comment === 'never') {
        core.info('PR comment: not posted (comment: never)');
    }
    else if (context.prNumber !== undefined && octokit) {
        try {
            const target = {
                owner: context.owner,
                repo: context.repo,
                issueNumber: context.prNumber,
                reportName: plan.reportName,
                body: reports.comment,
            };
            const comment = await postReportComment(octokit, target, publishing.comment, outcome);
            if ('skipped' in comment) {
                core.warning(`PR comment not posted (${comment.skipped}); the report is in the job summary. For fork pull requests use mode: comment (examples/perf-fork-comment.yml).`);
            }
            else {
                commentUrl = comment.url;
                core.info(comment.action === 'unchanged'
                    ? `PR comment unchanged (comment: changes; the verdict and every gated row are as before): ${comment.url}`
                    : `PR comment ${comment.action}: ${comment.url}`);
            }
        }
        catch (error) {
            core.warning(`PR comment not posted: ${oneLine(error)}; the report is in the job summary`);
        }
    }
    else if (context.prNumber === undefined) {
        core.info('not a pull request run: the report is in the job summary and the artifact');
    }
    if (plan.baseline.kind === 'branch' && context.eventName === 'push') {
        const saved = await saveBranchBaseline(outcome.record, plan, context, {
            ...(octokit ? { octokit } : {}),
        }).catch((error) => ({ skipped: oneLine(error) }));
        core.info('skipped' in saved ? `baseline branch: not saved (${saved.skipped})` : 'baseline branch: record saved');
    }
    const { gate } = outcome;
    core.setOutput('verdict', gate.verdict);
    core.setOutput('report-path', reports.paths.markdown);
    core.setOutput('result-path', outcome.resultPath);
    core.setOutput('comment-url', commentUrl);
    core.setOutput('regressions', String(gate.regressions.length));
    core.setOutput('artifact-id', artifactId);
    core.setOutput('artifact-url', artifactUrl);
    core.setOutput('report-url', commentUrl || artifactUrl || context.runUrl || '');
    core.info(`perfgate verdict: ${gate.verdict}${gate.reasons.length ? ` — ${gate.reasons.join('; ')}` : ''}`);
    if (gate.failed)
        core.setFailed(gate.reasons[0] ?? 'perfgate gate failed');
}
async function commentMode({ core, runCommentMode }, plan, context, octokit) {
    if (!octokit)
        throw new Error('mode comment needs the github-token input');
    const result = await runCommentMode({ plan, ctx: context }, { octokit, log: (l) => core.info(l) });
    if ('refused' in result) {
        core.setOutput('verdict', 'refused');
        throw new Error(`mode comment refused the report: ${result.refused}`);
    }
    if ('skipped' in result) {
        core.info(`mode comment: nothing to post (${result.skipped})`);
        core.setOutput('verdict', 'skipped');
        return;
    }
    core.setOutput('comment-url', 'url' in result.comment ? result.comment.url : '');
    core.setOutput('verdict', result.gate.verdict);
    core.info(`mode comment: posted the report of run ${result.runId} on PR #${result.pr}, re-judged ${result.gate.verdict}`);
}

export { readInputs, run };
//# sourceMappingURL=pipeline5.js.map
