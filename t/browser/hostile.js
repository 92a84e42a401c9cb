'use strict';
// hostile.js URL PLAN: every page 'quire serve' shows of a package
// whose logical keys, metadata, messages, README and CSV cells hold
// HTML and script, visited in a real browser: nothing of it may run or
// become markup. The pages are found by following every link from the
// registry page (a crawl of the catalog) and by submitting its forms.
// Each page is seen twice: as served (its Content-Security-Policy
// must report no violation: an injected script or handler would be
// one), and with the policy bypassed, where an injection that escaped
// the HTML escaping would run and set window.__pwned. On every page:
// window.__pwned stays undefined, no dialog opens, no element carries
// an event handler attribute, every script is a file of /static/, no
// link goes to javascript:, and the hostile strings show as text.
//
// PLAN: {"registry": "<the CLI's -r>", "package": "ns/name"}, the
// package alone in its registry, with two versions or more.

const fs = require('fs');
const { Session, canon, check, decodedPath, main, parseCsv, quire, same } =
	require('./lib');

// What the package holds (t9720 plants them).
const HOSTILE = [
	'<script>window.__pwned=1</script>',
	'"><img src=x onerror="window.__pwned=1">',
	'[x](javascript:window.__pwned=1)',
];
const MAX_PAGES = 300;

const [url, planFile] = process.argv.slice(2);
if (!url || !planFile) {
	console.error('usage: hostile.js <server url> <plan.json>');
	process.exit(2);
}
const base = url.replace(/\/?$/, '/');
const origin = new URL(base).origin;
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const reg = plan.registry;
const pkg = plan.package;

// kindOf PATHNAME (decoded): which page of the catalog a path is.
function kindOf(p) {
	if (p === '/')
		return 'registry';
	if (p.startsWith('/static/'))
		return 'static';
	if (!p.startsWith('/pkg/'))
		return 'other';
	const rest = p.slice('/pkg/'.length);
	const m = /^([^/]+\/[^/@:]+)([@:][^/]+)?(\/.*)?$/.exec(rest);
	if (!m)
		return 'other';
	if (!m[2])
		return m[3] === '/diff' ? 'diff' : m[3] ? 'other' : 'package';
	if (!m[3])
		return 'version';
	if (m[3].startsWith('/tree/'))
		return 'folder';
	if (m[3].startsWith('/entry/'))
		return 'entry';
	if (m[3].startsWith('/raw/'))
		return 'raw';
	if (m[3] === '/lineage')
		return 'lineage';
	return 'other';
}

// What the page holds that no escaping can let through.
async function injected(page) {
	return page.evaluate(() => {
		const bad = [];
		if (window.__pwned !== undefined)
			bad.push(`window.__pwned is ${window.__pwned}`);
		for (const el of document.querySelectorAll('*')) {
			for (const a of el.attributes)
				if (/^on/i.test(a.name))
					bad.push(`<${el.tagName.toLowerCase()} ` +
						`${a.name}="${a.value}">`);
		}
		for (const s of document.querySelectorAll('script')) {
			const src = s.getAttribute('src');
			if (!src || !new URL(s.src).pathname.startsWith('/static/') ||
			    new URL(s.src).origin !== location.origin)
				bad.push(`a script ${src ? 'from ' + src : 'inline: ' +
					s.textContent.slice(0, 80)}`);
		}
		for (const a of document.querySelectorAll('[href], [src], [action]')) {
			const data = a.matches('a, img, form, iframe, object, embed');
			for (const n of ['href', 'src', 'action']) {
				const v = (a.getAttribute(n) || '')
					.replace(/[\u0000-\u0020]/g, '');
				if (/^(javascript|vbscript):/i.test(v) ||
				    (data && /^data:/i.test(v)))
					bad.push(`<${a.tagName.toLowerCase()} ` +
						`${n}="${v}">`);
			}
		}
		for (const t of ['iframe', 'object', 'embed', 'frame', 'base',
			'meta[http-equiv]', 'svg script'])
			if (document.querySelector(t))
				bad.push(`a ${t} element`);
		for (const i of document.querySelectorAll('img'))
			if (!i.classList.contains('preview'))
				bad.push(`an <img src="${i.getAttribute('src')}">`);
		return bad;
	});
}

// The links of the page that the crawl follows: same origin, not the
// static files; raw links apart (they download).
async function links(page) {
	const hrefs = await page.$$eval('a[href]', (as) =>
		as.map((a) => a.href));
	return hrefs.filter((h) => new URL(h).origin === origin)
		.map((h) => { const u = new URL(h); u.hash = ''; return u.href; });
}

class Crawl {
	constructor(s, mode) {
		this.s = s;
		this.mode = mode;
		this.seen = new Set();
		this.kinds = {};
		this.texts = [];
		this.raws = new Set();
		this.visited = [];
	}

	async check(what, allow404 = false) {
		const page = this.s.page;
		await page.waitForTimeout(30);
		const bad = await injected(page);
		check(bad.length === 0, `${what} (${this.mode}): injected ` +
			`markup or script:\n  ${bad.join('\n  ')}`);
		let problems = this.s.takeProblems();
		if (allow404)
			problems = problems.filter((p) =>
				!/Failed to load resource: the server responded with a status of 4\d\d/
					.test(p));
		check(problems.length === 0, `${what} (${this.mode}): ` +
			`the browser reported:\n  ${problems.join('\n  ')}`);
		this.texts.push(await page.evaluate(() =>
			document.body ? document.body.textContent : ''));
	}

	async visit(href) {
		const s = this.s;
		const p = decodedPath(href);
		const kind = kindOf(p);
		const what = `${kind} page ${p}${new URL(href).search}`;
		await s.goto(href, what);
		await this.check(what);
		this.kinds[kind] = (this.kinds[kind] || 0) + 1;
		this.visited.push({ href, kind, path: p });
		await pageChecks(s, kind, p, what);
		// the pages look the same both times: kept once
		if (this.mode === 'csp' && this.kinds[kind] <= 2)
			await s.shot(kind);
		await clickJavascriptLinks(this, what);
		return links(s.page);
	}

	async run() {
		const queue = [base];
		this.seen.add(base);
		while (queue.length) {
			check(this.seen.size <= MAX_PAGES,
				`more than ${MAX_PAGES} pages: the crawl stops`);
			const href = queue.shift();
			for (const l of await this.visit(href)) {
				const k = kindOf(decodedPath(l));
				if (k === 'raw') {
					this.raws.add(l);
					continue;
				}
				if (k === 'static' || this.seen.has(l))
					continue;
				this.seen.add(l);
				queue.push(l);
			}
		}
	}
}

// Click every link of the README (the markdown link among them): if
// one still runs script, window.__pwned tells.
async function clickJavascriptLinks(crawl, what) {
	const page = crawl.s.page;
	const n = await page.locator('section#readme a').count();
	for (let i = 0; i < n; i++) {
		const a = page.locator('section#readme a').nth(i);
		const href = await a.getAttribute('href');
		if (href && !/^\s*javascript:/i.test(href))
			continue;
		const here = page.url();
		// an empty href reloads the page; a javascript: one would not
		const loaded = page.waitForEvent('load', { timeout: 3000 })
			.catch(() => null);
		await a.click();
		await loaded;
		await page.waitForLoadState('load');
		await page.waitForTimeout(100);
		const pwned = await page.evaluate(() => window.__pwned);
		check(pwned === undefined, `${what} (${crawl.mode}): clicking ` +
			`the README's link ${href} ran its script`);
		check(href === null || !/javascript:/i.test(href),
			`${what}: the README keeps a javascript: link: ${href}`);
		if (page.url() !== here)
			await crawl.s.goto(here, what);
	}
}

// What each kind of page must show as text: what the CLI says of the
// same things, character for character.
async function pageChecks(s, kind, p, what) {
	const page = s.page;
	const rev = (/^\/pkg\/[^/]+\/[^/@:]+([@:][^/]+)/.exec(p) || [])[1];
	if (kind === 'entry') {
		const key = p.replace(/^.*?\/entry\//, '');
		const dd = await page.$$eval('dl#entry dt', (dts) => dts.map((dt) =>
			[dt.textContent.trim().toLowerCase(),
				dt.nextElementSibling &&
				dt.nextElementSibling.textContent.trim()]));
		const lk = dd.find(([k]) => /logical|^key/.test(k));
		check(lk, `${what}: no logical key in dl#entry`);
		same(lk[1], key, `${what}: the logical key as text`);
		const e = entryOf(rev, key);
		same(JSON.parse(await page.textContent('pre#meta')), e.meta,
			`${what}: pre#meta`);
		if (/\.csv$/.test(key)) {
			const raw = await page.getAttribute('a#download', 'href');
			const bytes = await (await page.request.get(
				new URL(raw, page.url()).href)).text();
			const cells = await page.$$eval('table.csv tr', (trs) =>
				trs.map((tr) => Array.from(tr.querySelectorAll('th, td'))
					.map((c) => c.textContent)));
			same(cells, parseCsv(bytes), `${what}: the CSV cells as text`);
		}
	} else if (kind === 'version') {
		const show = quire('show', '--json', '-r', reg, `${pkg}${rev}`);
		const meta = JSON.parse(await page.textContent('section#meta pre'));
		check(canon(meta) === canon(show.user_meta) ||
			canon(meta.user_meta) ===
			canon(show.user_meta),
			`${what}: section#meta shows ${JSON.stringify(meta)}`);
		const code = await page.$$eval('section#readme code', (cs) =>
			cs.map((c) => c.textContent));
		for (const h of HOSTILE.slice(0, 2))
			check(code.includes(h), `${what}: the README's code span ` +
				`${h} is not shown as text: ${JSON.stringify(code)}`);
		await checkNames(page, rev, '', what);
	} else if (kind === 'folder') {
		await checkNames(page, rev, p.replace(/^.*?\/tree\//, ''), what);
	} else if (kind === 'diff') {
		const q = new URL(page.url()).searchParams;
		const at = (r) => /^[@:]/.test(r) ? r : `@${r}`;
		const diff = quire('diff', '--json', '-r', reg,
			`${pkg}${at(q.get('from'))}`, `${pkg}${at(q.get('to'))}`);
		const keys = await page.$$eval('table#changes tr', (trs) => trs
			.filter((tr) => tr.querySelector('td'))
			.map((tr) => { const a = tr.querySelector('a');
				return a ? a.textContent : null; }));
		same(keys, diff.changes.map((c) => c.logical_key),
			`${what}: the changed keys as text`);
	}
}

// The rows of table#entries name what 'quire ls' lists in FOLDER.
async function checkNames(page, rev, folder, what) {
	const args = ['ls', '--json', '-r', reg, `${pkg}${rev}`];
	if (folder)
		args.push(folder);
	const want = quire(...args).entries.map((e) =>
		e.logical_key.slice(folder.length)).sort();
	const got = await page.$$eval('table#entries a.folder, ' +
		'table#entries a.file', (as) => as.map((a) => a.textContent));
	same(got.sort(), want, `${what}: the names of table#entries as text`);
}

const lsCache = {};
function entryOf(rev, key) {
	if (!lsCache[rev])
		lsCache[rev] = quire('ls', '--json', '-R', '-r', reg,
			`${pkg}${rev}`).entries;
	const e = lsCache[rev].find((x) => x.logical_key === key);
	check(e, `${key} is not in 'quire ls -R' of ${pkg}${rev}`);
	return e;
}

// Forms and URLs no link leads to: the filter and the diff form with
// hostile values, a missing hostile key (a 404 page).
async function extraPages(crawl) {
	const s = crawl.s;
	for (const h of HOSTILE) {
		await s.goto(base, 'the registry page');
		const input = s.page.locator('form.filter input[name="q"]');
		await input.fill(h);
		const resp = await s.navigate(() => input.press('Enter'));
		await s.checkResponse(resp, `the registry filtered by ${h}`);
		await crawl.check(`the registry filtered by ${h}`);
		same(await input.inputValue(), h,
			`the registry filtered by ${h}: the filter's value`);
	}
	if (crawl.mode === 'csp')
		await s.shot("filter");
	const log = quire('log', '--json', '-r', reg, pkg);
	const top = log.versions[0].top_hash;
	for (const h of HOSTILE) {
		const u = new URL(`pkg/${pkg}@${top}/entry/nothere/` +
			encodeURIComponent(h), base).href;
		const resp = await s.navigate(() => s.page.goto(u));
		check(resp.status() === 404, `${u} answered ${resp.status()}`);
		await crawl.check(`the 404 page of ${h}`, true);
		const t = new URL(`pkg/${pkg}/diff?from=` +
			encodeURIComponent(h) + `&to=${top}`, base).href;
		const r2 = await s.navigate(() => s.page.goto(t));
		check(r2.status() === 400 || r2.status() === 404,
			`${t} answered ${r2.status()}, not 400`);
		await crawl.check(`the bad diff page of ${h}`, true);
	}
	if (crawl.mode === 'csp')
		await s.shot("404");
}

// The raw links download (Content-Disposition: attachment): opening one
// never renders its bytes, an .html or .svg file's script included.
// Checked with the policy bypassed, where a rendered file's script
// would run.
async function rawPages(crawl) {
	const s = crawl.s;
	check(crawl.raws.size > 0, 'no raw link was found');
	for (const r of crawl.raws) {
		const what = `raw ${decodedPath(r)}`;
		const head = await s.page.request.get(r);
		same(head.status(), 200, `${what}: its status`);
		check(/^attachment/.test(head.headers()['content-disposition']),
			`${what}: Content-Disposition is ` +
			head.headers()['content-disposition']);
		const here = s.page.url();
		const [dl] = await Promise.all([
			s.page.waitForEvent('download'),
			s.page.goto(r).catch(() => null),
		]);
		await dl.path();
		same(s.page.url(), here, `${what}: opening it left the page`);
		await crawl.check(what);
	}
}

async function run(open, mode) {
	const s = open(await Session.start({ bypassCSP: mode === 'nocsp',
		label: mode }));
	const crawl = new Crawl(s, mode);
	await crawl.run();
	await extraPages(crawl);
	if (mode === 'nocsp')
		await rawPages(crawl);
	for (const k of ['registry', 'package', 'version', 'folder', 'entry',
		'diff', 'lineage'])
		check(crawl.kinds[k] > 0, `${mode}: no ${k} page was reached ` +
			`by links: ${JSON.stringify(crawl.kinds)}`);
	// every entry of every version has its page
	const log = quire('log', '--json', '-r', reg, pkg);
	for (const v of log.versions) {
		const ls = quire('ls', '--json', '-R', '-r', reg,
			`${pkg}@${v.top_hash}`);
		for (const e of ls.entries)
			check(crawl.visited.some((x) => x.kind === 'entry' &&
				x.path.endsWith(`/entry/${e.logical_key}`) &&
				x.path.includes(v.top_hash.slice(0, 12))),
			`${mode}: the entry page of ${e.logical_key} in ` +
			`${v.top_hash.slice(0, 12)} was not reached`);
	}
	const all = crawl.texts.join('\n');
	for (const h of HOSTILE)
		check(all.includes(h), `${mode}: ${h} never shows as text`);
	same(s.dialogs, [], `${mode}: dialogs`);
	await s.close();
	return crawl;
}

main(async (open) => {
	const a = await run(open, 'csp');
	const b = await run(open, 'nocsp');
	console.log(`${a.visited.length} pages as served, ` +
		`${b.visited.length} with the policy bypassed: nothing ran`);
});
