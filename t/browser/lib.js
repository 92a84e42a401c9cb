'use strict';
// What the browser tests of 'quire serve' share: a headless Chromium
// (Debian's, driven by playwright-core) with a fresh profile, navigation
// that checks each page's response, screenshots, and the collection of
// everything a page complains about (console errors, uncaught errors,
// Content-Security-Policy violations, dialogs). Run through browser_run
// of t/lib-browser.sh, which sets the BROWSER_* variables read here.

const { chromium } = require('playwright-core');
const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; base-uri 'none'; form-action 'self'; " +
	"frame-ancestors 'none'";

const SHOT_MAX_HEIGHT = 6000;
const started = Date.now();

class TestFailure extends Error {}

// trace MSG: with BROWSER_TRACE=1, say MSG on stderr with the time
// since the start.
function trace(msg) {
	if (process.env.BROWSER_TRACE === '1')
		console.error(`[${((Date.now() - started) / 1000).toFixed(2)}s] ` +
			msg);
}

function fail(msg) {
	throw new TestFailure(msg);
}

function check(cond, msg) {
	if (!cond)
		fail(msg);
}

// canon VALUE: JSON text of VALUE with the members of its objects in
// one order, so that equal values give equal text.
function canon(v) {
	if (Array.isArray(v))
		return `[${v.map(canon).join(',')}]`;
	if (v && typeof v === 'object')
		return `{${Object.keys(v).sort().map((k) =>
			`${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
	return JSON.stringify(v);
}

function clip(t) {
	return t.length > 600 ? `${t.slice(0, 600)}... (${t.length} chars)` : t;
}

function same(got, want, what) {
	const g = canon(got);
	const w = canon(want);
	check(g === w, `${what}: got ${clip(g)}, want ${clip(w)}`);
}

// Failures that need not stop the walk: reported together when the
// script ends (and it then fails), so that one slip of a page does not
// hide what the pages after it would show. Those whose ID is named in
// BROWSER_KNOWN (space-separated) are known breakages: said, with
// "# known breakage:", and not failed on; a test_expect_failure of
// their own keeps them in view.
const deferred = [];
const known = new Set((process.env.BROWSER_KNOWN || '').split(/\s+/)
	.filter(Boolean));

function later(cond, msg, id) {
	if (cond)
		return;
	if (id && known.has(id)) {
		const line = `# known breakage (${id}): ${msg}`;
		if (!deferred.includes(line))
			console.log(line);
		deferred.push(line);
		return;
	}
	if (!deferred.includes(msg))
		deferred.push(msg);
}

// strict: no breakage is known from here on.
function strict() {
	known.clear();
}

function failuresLeft() {
	return deferred.filter((d) => !d.startsWith('# known breakage'));
}

function env(name) {
	const v = process.env[name];
	if (v === undefined)
		fail(`${name} is not set: run this script with browser_run ` +
		     '(t/lib-browser.sh)');
	return v;
}

// quire ARGS...: run the CLI (the one on PATH, the build under test)
// and parse its --json output. 'quire diff' exits 1 when the versions
// differ, as diff(1) does. The registries do not change while a script
// runs: each command runs once.
const quireSeen = new Map();

function quire(...args) {
	const key = args.join('\0');
	if (!quireSeen.has(key))
		quireSeen.set(key, runQuire(args));
	return JSON.parse(JSON.stringify(quireSeen.get(key)));
}

function runQuire(args) {
	trace(`quire ${args.join(' ')}`);
	const r = childProcess.spawnSync('quire', args, {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const ok = r.status === 0 || (args[0] === 'diff' && r.status === 1);
	check(ok, `quire ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
	return JSON.parse(r.stdout);
}

function sha256(bytes) {
	return crypto.createHash('sha256').update(bytes).digest('hex');
}

// parseCsv TEXT [SEP]: the rows of a CSV (RFC 4180: quoted cells, ""
// for a quote, newlines inside quotes) or, with SEP '\t', a TSV.
function parseCsv(text, sep = ',') {
	const rows = [];
	let row = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') {
				quoted = false;
			} else {
				cell += c;
			}
		} else if (c === '"' && cell === '') {
			quoted = true;
		} else if (c === sep) {
			row.push(cell);
			cell = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n')
				i++;
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
		} else {
			cell += c;
		}
	}
	if (cell !== '' || row.length)
		rows.push(row.concat([cell]));
	return rows;
}

// A browser with a fresh profile and one page. Every page it shows is
// watched: console errors, uncaught exceptions, CSP violations (the
// 'securitypolicyviolation' event, reported through a binding, which
// CSP does not restrict) and dialogs land in .problems.
class Session {
	static async start(opts = {}) {
		const s = new Session();
		await s.init(opts);
		return s;
	}

	async init({ bypassCSP = false, label = '' } = {}) {
		const profiles = env('BROWSER_PROFILES');
		fs.mkdirSync(profiles, { recursive: true });
		this.profile = fs.mkdtempSync(path.join(profiles, 'profile-'));
		this.shots = env('BROWSER_SHOTS');
		this.downloads = env('BROWSER_DOWNLOADS');
		this.label = label;
		this.shotCount = 0;
		this.problems = [];
		this.dialogs = [];
		this.iconMisses = [];
		this.context = await chromium.launchPersistentContext(
			this.profile, {
				executablePath: env('BROWSER_CHROMIUM'),
				headless: true,
				args: env('BROWSER_FLAGS').split(/\s+/)
					.filter(Boolean),
				acceptDownloads: true,
				downloadsPath: this.downloads,
				bypassCSP,
				viewport: { width: 1280, height: 900 },
				timeout: 30000,
			});
		this.context.setDefaultTimeout(15000);
		this.context.on('console', (msg) => {
			const at = msg.location() && msg.location().url;
			// the icon a browser asks for by itself: counted
			// apart, so that the walk goes on (see .iconMisses)
			if (at && new URL(at).pathname === '/favicon.ico' &&
			    /status of 404/.test(msg.text())) {
				this.iconMisses.push(at);
				return;
			}
			if (msg.type() === 'error' ||
			    /Content.Security.Policy/i.test(msg.text()))
				this.problems.push(`console ${msg.type()} ` +
					`on ${this.where(msg.page())}: ${msg.text()}` +
					(at ? ` (${at})` : ''));
		});
		this.context.on('weberror', (err) => {
			this.problems.push(`uncaught error on ` +
				`${this.where(err.page())}: ${err.error()}`);
		});
		this.context.on('dialog', async (d) => {
			this.dialogs.push(`${d.type()} "${d.message()}"`);
			this.problems.push(`a ${d.type()} dialog opened on ` +
				`${this.where(d.page())}: ${d.message()}`);
			await d.dismiss().catch(() => {});
		});
		await this.context.exposeBinding('__quireCspViolation',
			(source, v) => {
				this.problems.push('CSP violation on ' +
					`${source.page ? source.page.url() : '?'}: ` +
					JSON.stringify(v));
			});
		await this.context.addInitScript(() => {
			window.addEventListener('securitypolicyviolation', (e) => {
				window.__quireCspViolation({
					directive: e.violatedDirective,
					blocked: e.blockedURI,
					source: e.sourceFile,
					line: e.lineNumber,
					sample: e.sample,
				});
			}, true);
		});
		const pages = this.context.pages();
		this.page = pages.length ? pages[0] : await this.context.newPage();
	}

	where(page) {
		return page ? page.url() : '(no page)';
	}

	// The problems seen since the last call, and forget them.
	takeProblems() {
		const p = this.problems;
		this.problems = [];
		return p;
	}

	// Fail if any page complained since the last call.
	async clean(what) {
		// a violation report arrives through the binding a little
		// after the page is loaded
		await this.page.waitForTimeout(50);
		const p = this.takeProblems();
		check(p.length === 0, `${what}: the browser reported:\n  ` +
			p.join('\n  '));
	}

	// A full-page PNG into BROWSER_SHOTS, numbered in order.
	// A page taller than SHOT_MAX_HEIGHT pixels is cut there (a
	// 256 KiB text preview is 10,000 lines: its full page would take
	// seconds to encode, and tell no more).
	async shot(name, fullPage = true) {
		if (!this.shots)
			return;
		this.shotCount++;
		const n = String(this.shotCount).padStart(2, '0');
		const file = path.join(this.shots,
			`${this.label ? this.label + '-' : ''}${n}-${name}.png`);
		const t0 = Date.now();
		const opts = { path: file, fullPage };
		if (fullPage) {
			const h = await this.page.evaluate(() =>
				document.documentElement.scrollHeight);
			if (h > SHOT_MAX_HEIGHT)
				opts.clip = { x: 0, y: 0, width: 1280,
					height: SHOT_MAX_HEIGHT };
		}
		await this.page.screenshot(opts);
		trace(`screenshot ${name}: ${Date.now() - t0} ms`);
	}

	// navigate ACTION: run ACTION (a click, a goto, a submit) and wait
	// for the main frame's new document; its response.
	async navigate(action) {
		const page = this.page;
		const resp = page.waitForResponse((r) =>
			r.request().isNavigationRequest() &&
			r.frame() === page.mainFrame());
		await action();
		const r = await resp;
		await page.waitForLoadState('load');
		return r;
	}

	// The page a response brought is a 200 with the headers every
	// response of 'quire serve' has.
	async checkResponse(resp, what, status = 200) {
		check(resp.status() === status,
			`${what}: ${resp.url()} answered ${resp.status()}, ` +
			`not ${status}`);
		const h = await resp.allHeaders();
		same(h['content-security-policy'], CSP,
			`${what}: Content-Security-Policy of ${resp.url()}`);
		same(h['x-content-type-options'], 'nosniff',
			`${what}: X-Content-Type-Options of ${resp.url()}`);
		check(/^text\/html/.test(h['content-type'] || ''),
			`${what}: ${resp.url()} is ${h['content-type']}, ` +
			'not text/html');
	}

	async goto(url, what, status = 200) {
		trace(`goto ${url}`);
		const resp = await this.navigate(() =>
			this.page.goto(url, { waitUntil: 'load' }));
		await this.checkResponse(resp, what, status);
		return resp;
	}

	// follow LOCATOR WHAT: click a link (exactly one must match) and
	// land on a 200 page whose URL is the link's.
	async follow(locator, what) {
		const n = await locator.count();
		check(n === 1, `${what}: ${n} links match, not 1`);
		const href = await locator.getAttribute('href');
		check(href, `${what}: the link has no href`);
		const want = new URL(href, this.page.url()).href;
		trace(`follow ${what}: ${want}`);
		const resp = await this.navigate(() => locator.click());
		await this.checkResponse(resp, what);
		same(this.page.url(), want, `${what}: URL after the click`);
		return resp;
	}

	// The structure every page has: one h1, nav.crumbs, main; the
	// stylesheet applied.
	async checkFrame(what) {
		const page = this.page;
		const h1 = await page.locator('h1').count();
		const inReadme = await page.locator('section#readme h1').count();
		later(h1 === 1, `${what}: ${h1} <h1>s, not 1` +
			(inReadme ? ' (the README\'s headings are <h1>s too)' : ''),
			inReadme && h1 - inReadme === 1 ? 'readme-h1' : null);
		same(await page.locator('nav.crumbs').count(), 1,
			`${what}: <nav class="crumbs">`);
		same(await page.locator('main').count(), 1, `${what}: <main>`);
		const sheets = await page.evaluate(() =>
			Array.from(document.styleSheets).map((s) => s.href));
		check(sheets.some((h) => h &&
			new URL(h).pathname === '/static/quire.css'),
			`${what}: /static/quire.css is not applied ` +
			`(${JSON.stringify(sheets)})`);
	}

	// The crumbs link to these paths (pathnames, decoded), in order.
	async checkCrumbs(what, want) {
		const got = await this.page.$$eval('nav.crumbs a', (as) =>
			as.map((a) => decodeURIComponent(
				new URL(a.href).pathname)));
		const gotSet = got.join('\n');
		let at = 0;
		for (const w of want) {
			const i = got.indexOf(w, at);
			check(i >= 0, `${what}: the crumbs lack a link to ` +
				`${w} (after ${at}) or have it out of order: ` +
				JSON.stringify(got));
			at = i + 1;
		}
		return gotSet;
	}

	// The link of the crumbs to PATHNAME (decoded).
	async crumb(pathname) {
		const paths = await this.page.$$eval('nav.crumbs a', (as) =>
			as.map((a) => decodeURIComponent(
				new URL(a.href).pathname)));
		const i = paths.indexOf(pathname);
		check(i >= 0, `no crumb links to ${pathname}: ` +
			JSON.stringify(paths));
		return this.page.locator('nav.crumbs a').nth(i);
	}

	async close() {
		await this.context.close();
	}
}

// decodedPath HREF: the pathname of a link, percent-decoded.
function decodedPath(href, base = 'http://x/') {
	return decodeURIComponent(new URL(href, base).pathname);
}

// main FN: run the test; on a failure, screenshot the page it was on,
// say what failed and exit 1.
function main(fn) {
	let session = null;
	const open = (s) => { session = s; return s; };
	fn(open).then(() => {
		const left = failuresLeft();
		if (!left.length)
			process.exit(0);
		for (const d of left)
			console.error(`error: ${d}`);
		process.exit(1);
	}, async (e) => {
		for (const d of failuresLeft())
			console.error(`error: ${d}`);
		const msg = e instanceof TestFailure ? e.message : e.stack;
		console.error(`error: ${msg}`);
		if (session) {
			try {
				console.error(`(on ${session.page.url()})`);
				await session.shot('FAILED');
			} catch (e2) {
				console.error(`(no screenshot: ${e2.message})`);
			}
			await session.close().catch(() => {});
		}
		process.exit(1);
	});
}

module.exports = {
	CSP, Session, TestFailure, canon, check, decodedPath, env, fail, later, main,
	parseCsv, quire, same, sha256, strict, trace,
};
