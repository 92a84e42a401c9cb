'use strict';
// walk.js URL PLAN: click (and type) through the catalog 'quire serve'
// shows at URL as a person would, from the registry down to entries and
// back up to a diff, and check what each page shows against the CLI's
// --json output of the same registry. Every page must load with no console
// error, no uncaught exception and no Content-Security-Policy
// violation; each is kept as a full-page screenshot.
//
// PLAN is a JSON file:
// {"registry": "<what the CLI's -r takes>",
//  "filter": "<substring typed in the registry's filter>",
//  "package": "ns/name", "version": "<64 hex>",
//  "readme": "<text the rendered README holds>" (optional),
//  "folder": "data/"         a folder of the version to open,
//  "entries": [{"key": "data/a.txt", "file": "<local copy>",
//               "preview": "text" | "json" | "csv" | "tsv" | "image" |
//                          "none",
//               "width": W, "height": H (images)}, ...],
//  "paging": "data/many/"   a folder of more than 1000 entries (optional),
//  "diff": {"from": "<64 hex>", "to": "<64 hex>"}: two versions of the
//          package, "from" the one just before "to",
//  "derived": "ns/other"    a package whose latest version has the walked
//                           package's latest as its parent (optional)}
// Local paths are relative to the current folder.

const fs = require('fs');
const path = require('path');
const lib = require('./lib');
const { Session, canon, check, decodedPath, fail, main, parseCsv, quire,
	same, sha256 } = lib;

const PAGE_ROWS = 1000;
const PREVIEW_TEXT = 256 * 1024;
const PREVIEW_ROWS = 100;

const [url, planFile] = process.argv.slice(2);
if (!url || !planFile) {
	console.error('usage: walk.js <server url> <plan.json>');
	process.exit(2);
}
const base = url.replace(/\/?$/, '/');
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const reg = plan.registry;
const pkg = plan.package;

function short(hex) {
	return hex.slice(0, 12);
}

function revOf(pathname) {
	const m = /^\/pkg\/[^/]+\/[^/@:]+([@:][^/]+)/.exec(pathname);
	return m ? m[1] : null;
}

// The rows of table#entries: folders and files, with their hrefs.
async function listing(page) {
	return page.$$eval('table#entries tr', (trs) => trs.map((tr) => {
		const a = tr.querySelector('a.folder, a.file');
		return {
			cls: tr.className,
			kind: a ? a.className : null,
			name: a ? a.textContent : null,
			href: a ? a.getAttribute('href') : null,
		};
	}).filter((r) => r.cls === 'folder' || r.cls === 'file'));
}

// What 'quire ls --json' says one level of FOLDER holds, as names.
function expectedListing(hash, folder) {
	const args = ['ls', '--json', '-r', reg, `${pkg}@${hash}`];
	if (folder)
		args.push(folder);
	const ls = quire(...args);
	return ls.entries.map((e) => ({
		kind: e.type === 'folder' ? 'folder' : 'file',
		name: e.logical_key.slice(folder.length),
		entry: e,
	}));
}

async function checkListing(s, hash, folder, what) {
	const got = await listing(s.page);
	const want = expectedListing(hash, folder);
	for (const r of got) {
		same(r.kind, r.cls, `${what}: the link class of row ${r.name}`);
		const p = decodedPath(r.href);
		const tail = r.kind === 'folder' ?
			`/tree/${folder}${r.name}` : `/entry/${folder}${r.name}`;
		check(p.startsWith(`/pkg/${pkg}`) && p.endsWith(tail),
			`${what}: row ${r.name} links to ${p}, not .../${tail}`);
	}
	const key = (r) => `${r.kind} ${r.name}`;
	same(got.map(key).sort(), want.map(key).sort(),
		`${what}: the rows of table#entries`);
	return want;
}

async function checkRegistry(s) {
	const list = quire('list', '--json', '-r', reg);
	await s.goto(base, 'the registry page');
	await s.checkFrame('the registry page');
	same(await s.page.locator('form.filter input[name="q"]').count(), 1,
		'the registry page: its filter');
	const rows = await s.page.$$eval('table#packages tr.package',
		(trs) => trs.map((tr) => {
			const p = tr.querySelector('a.package');
			const v = tr.querySelector('a.version');
			return {
				name: p && p.textContent,
				href: p && p.getAttribute('href'),
				version: v && v.textContent,
				vhref: v && v.getAttribute('href'),
				time: tr.querySelectorAll('time').length,
			};
		}));
	same(rows.map((r) => r.name).sort(),
		list.packages.map((p) => p.name).sort(),
		'the registry page: its packages');
	for (const r of rows) {
		const want = list.packages.find((p) => p.name === r.name);
		same(decodedPath(r.href), `/pkg/${r.name}`,
			`the registry page: the link of ${r.name}`);
		if (!want.top_hash)
			continue;
		same(r.version, short(want.top_hash),
			`the registry page: the latest version of ${r.name}`);
		same(decodedPath(r.vhref), `/pkg/${r.name}@${want.top_hash}`,
			`the registry page: the version link of ${r.name}`);
		same(r.time, 1, `the registry page: <time> of ${r.name}`);
	}
	await s.clean('the registry page');
	await s.shot('registry');
	return list;
}

async function checkFilter(s, list) {
	const q = plan.filter;
	const input = s.page.locator('form.filter input[name="q"]');
	const want = list.packages.map((p) => p.name)
		.filter((n) => n.includes(q));
	check(want.length > 0 && want.length < list.packages.length,
		`the plan's filter ${q} should keep some packages, not all`);
	// typing filters the rows at once (/static/quire.js), before any
	// request
	await input.pressSequentially(q, { delay: 10 });
	const shown = await s.page.$$eval('table#packages tr.package',
		(trs) => trs.filter((tr) => tr.offsetParent !== null)
			.map((tr) => tr.querySelector('a.package').textContent));
	same(shown.sort(), want.slice().sort(),
		`the registry page: the rows shown as ${q} is typed`);
	await s.shot('registry-typed');
	const resp = await s.navigate(() => input.press('Enter'));
	await s.checkResponse(resp, 'the filtered registry page');
	same(new URL(s.page.url()).searchParams.get('q'), q,
		'the filtered registry page: ?q= in its URL');
	const names = await s.page.$$eval('table#packages a.package',
		(as) => as.map((a) => a.textContent));
	same(names.sort(), want.sort(),
		`the registry page filtered by ${q}: its packages`);
	same(await input.inputValue(), q,
		'the filtered registry page: the filter keeps its text');
	await s.clean('the filtered registry page');
	await s.shot('registry-filtered');
	await s.goto(base, 'the registry page again');
}

async function checkPackage(s, log) {
	const what = `the package page of ${pkg}`;
	await s.checkFrame(what);
	await s.checkCrumbs(what, ['/']);
	const rows = await s.page.$$eval('table#versions tr.version',
		(trs) => trs.map((tr) => {
			const v = tr.querySelector('a.version');
			const d = tr.querySelector('a.diff');
			const n = tr.querySelector('td.entries');
			const z = tr.querySelector('td.size');
			return {
				version: v && v.textContent,
				href: v && v.getAttribute('href'),
				tags: Array.from(tr.querySelectorAll('span.tag'))
					.map((t) => t.textContent),
				time: tr.querySelectorAll('time').length,
				entries: n && n.textContent.trim(),
				size: z && z.textContent.trim(),
				diff: d && d.getAttribute('href'),
				text: tr.textContent,
			};
		}));
	same(rows.map((r) => r.version),
		log.versions.map((v) => short(v.top_hash)),
		`${what}: its versions, newest first`);
	log.versions.forEach((v, i) => {
		const r = rows[i];
		const w = `${what}, version ${short(v.top_hash)}`;
		same(decodedPath(r.href), `/pkg/${pkg}@${v.top_hash}`,
			`${w}: its link`);
		const tags = v.tags.concat(v.refs.includes('latest') ?
			['latest'] : []);
		same(r.tags.sort(), tags.sort(), `${w}: its tags`);
		same(r.time, 1, `${w}: <time>`);
		const show = quire('show', '--json', '-r', reg,
			`${pkg}@${v.top_hash}`);
		same(r.entries, String(show.entries), `${w}: td.entries`);
		check(r.size, `${w}: td.size is empty`);
		if (v.message)
			check(r.text.includes(v.message),
				`${w}: its message ${v.message} is not shown`);
		const older = log.versions[i + 1];
		if (!older) {
			return;
		}
		check(r.diff, `${w}: no a.diff to the version before it`);
		const d = new URL(r.diff, base);
		same(d.pathname, `/pkg/${pkg}/diff`, `${w}: a.diff's path`);
		const from = d.searchParams.get('from') || '';
		const to = d.searchParams.get('to') || '';
		check(from.length >= 6 &&
			older.top_hash.startsWith(from.replace(/^@/, '')),
			`${w}: a.diff's from=${from} is not ` +
			short(older.top_hash));
		check(to.length >= 6 &&
			v.top_hash.startsWith(to.replace(/^@/, '')),
			`${w}: a.diff's to=${to} is not ${short(v.top_hash)}`);
	});
	const form = s.page.locator(`form#diff-form[action="/pkg/${pkg}/diff"]`);
	same(await form.count(), 1, `${what}: form#diff-form`);
	same(await form.locator('select[name="from"]').count(), 1,
		`${what}: the form's from`);
	same(await form.locator('select[name="to"]').count(), 1,
		`${what}: the form's to`);
	same(await s.page.locator('a#lineage').count(), 1,
		`${what}: a#lineage`);
}

async function checkVersion(s, show, hash) {
	const what = `the version page of ${pkg}@${short(hash)}`;
	await s.checkFrame(what);
	await s.checkCrumbs(what, ['/', `/pkg/${pkg}`]);
	check((await s.page.textContent('h1')).includes(pkg),
		`${what}: <h1> does not name ${pkg}`);
	const root = expectedListing(hash, '');
	const hasReadme = root.some((e) => e.name === 'README.md');
	same(await s.page.locator('section#readme').count(),
		hasReadme ? 1 : 0, `${what}: section#readme`);
	if (plan.readme) {
		const t = await s.page.textContent('section#readme');
		check(t.includes(plan.readme),
			`${what}: the README does not show ${plan.readme}`);
	}
	const meta = JSON.parse(await s.page.textContent('section#meta pre'));
	check(canon(meta) === canon(show.user_meta) ||
		canon(meta.user_meta) ===
		canon(show.user_meta),
		`${what}: section#meta shows ${JSON.stringify(meta)}, not ` +
		`the package metadata ${JSON.stringify(show.user_meta)}`);
	const parents = show.provenance && show.provenance.parents || [];
	same(await s.page.locator('section#provenance').count(),
		show.provenance ? 1 : 0, `${what}: section#provenance`);
	const hrefs = await s.page.$$eval('section#provenance a.parent',
		(as) => as.map((a) => a.getAttribute('href')));
	same(hrefs.map((h) => decodedPath(h)),
		parents.map((p) => `/pkg/${p.name}@${p.top_hash}`),
		`${what}: the parents' links`);
	same(await s.page.locator('a#lineage').count(), 1,
		`${what}: a#lineage`);
	await checkListing(s, hash, '', `${what}, its root folder`);
	await s.clean(what);
	await s.shot('version');
}

async function checkFolder(s, hash, folder) {
	const what = `the folder page of ${folder}`;
	await s.checkFrame(what);
	await s.checkCrumbs(what, ['/', `/pkg/${pkg}`]);
	const want = await checkListing(s, hash, folder, what);
	const count = await s.page.textContent('p.count');
	check(new RegExp(`\\b${want.length} entr`).test(count),
		`${what}: p.count says ${count}, not ${want.length} entries`);
	await s.clean(what);
	return want;
}

// Click from the version page down the folders to KEY's folder.
async function openFolder(s, versionUrl, folder) {
	await s.goto(versionUrl, 'the version page');
	const parts = folder.split('/').filter(Boolean);
	let at = '';
	for (const p of parts) {
		at += `${p}/`;
		await s.follow(s.page.locator('table#entries a.folder', {
			hasText: new RegExp(`^${escapeRe(p)}/$`) }),
			`the link to ${at}`);
		same(decodedPath(s.page.url()).endsWith(`/tree/${at}`), true,
			`the page of ${at}: its URL ${s.page.url()}`);
	}
}

function escapeRe(t) {
	return t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function checkEntry(s, hash, e, entry) {
	const what = `the entry page of ${e.key}`;
	await s.checkFrame(what);
	const folders = [];
	const parts = e.key.split('/');
	for (let i = 1; i < parts.length; i++)
		folders.push(parts.slice(0, i).join('/') + '/');
	await s.checkCrumbs(what, ['/', `/pkg/${pkg}`]);
	const crumbs = await s.page.$$eval('nav.crumbs a', (as) =>
		as.map((a) => decodeURIComponent(new URL(a.href).pathname)));
	for (const f of folders)
		check(crumbs.some((c) => c.endsWith(`/tree/${f}`)),
			`${what}: no crumb to ${f} in ${JSON.stringify(crumbs)}`);
	const dl = await s.page.$$eval('dl#entry dt', (dts) =>
		dts.map((dt) => {
			const dd = dt.nextElementSibling;
			return [dt.textContent.trim().toLowerCase(),
				dd ? dd.textContent.trim() : null];
		}));
	const field = (re) => {
		const f = dl.find(([k]) => re.test(k));
		check(f, `${what}: dl#entry has no ${re} (${JSON.stringify(dl)})`);
		return f[1];
	};
	same(field(/logical|^key/), e.key, `${what}: its logical key`);
	check(field(/hash/).includes(entry.hash.value),
		`${what}: its hash is not ${entry.hash.value}`);
	same(field(/physical/), entry.physical_key, `${what}: its physical key`);
	check(field(/size/), `${what}: its size is empty`);
	same(JSON.parse(await s.page.textContent('pre#meta')), entry.meta,
		`${what}: pre#meta`);
	const href = await s.page.getAttribute('a#download', 'href');
	check(href && decodedPath(href).startsWith(`/pkg/${pkg}`) &&
		decodedPath(href).endsWith(`/raw/${e.key}`),
		`${what}: a#download links to ${href}`);
	same(await s.page.locator('section#preview').count(), 1,
		`${what}: section#preview`);
	await checkPreview(s, e, what);
	await s.clean(what);
	await s.shot(`entry-${path.basename(e.key)}`);
	await download(s, e, what);
}

async function checkPreview(s, e, what) {
	const prev = s.page.locator('section#preview');
	const bytes = fs.readFileSync(e.file);
	const kinds = {
		text: 'pre.text', json: 'pre.text', csv: 'table.csv',
		tsv: 'table.csv',
		image: 'img.preview', none: 'p.no-preview',
	};
	for (const sel of new Set(Object.values(kinds)))
		same(await prev.locator(sel).count(),
			kinds[e.preview] === sel ? 1 : 0,
			`${what}: ${sel} in the preview (a ${e.preview} entry)`);
	if (e.preview === 'json') {
		// shown as text, and may be pretty-printed: the same value
		const got = await prev.locator('pre.text').textContent();
		let v;
		try {
			v = JSON.parse(got);
		} catch (err) {
			fail(`${what}: the JSON shown does not parse: ${err}`);
		}
		same(v, JSON.parse(bytes.toString('utf8')),
			`${what}: the JSON value shown`);
	} else if (e.preview === 'text') {
		const got = await prev.locator('pre.text').textContent();
		const text = bytes.toString('utf8');
		if (bytes.length <= PREVIEW_TEXT) {
			same(got, text, `${what}: the text shown`);
		} else {
			// the first 256 KiB (less a character cut in two)
			check(got.length <= PREVIEW_TEXT &&
				got.length >= PREVIEW_TEXT - 4 &&
				text.startsWith(got),
				`${what}: the text shown is not the file's ` +
				`first 256 KiB (${got.length} characters)`);
		}
	} else if (e.preview === 'csv' || e.preview === 'tsv') {
		const rows = parseCsv(bytes.toString('utf8'),
			e.preview === 'tsv' ? '\t' : ',');
		const table = prev.locator('table.csv');
		const head = await table.locator('tr').first().locator('th')
			.allTextContents();
		same(head, rows[0], `${what}: the header row (th)`);
		const body = await table.evaluate((t) =>
			Array.from(t.querySelectorAll('tr'))
				.filter((tr) => tr.querySelector('td'))
				.map((tr) => Array.from(tr.querySelectorAll('td'))
					.map((td) => td.textContent)));
		// "the first 100 rows": with the header row or without
		const n = Math.min(body.length, rows.length - 1);
		check(n === Math.min(PREVIEW_ROWS, rows.length - 1) ||
			n === Math.min(PREVIEW_ROWS - 1, rows.length - 1),
			`${what}: ${body.length} rows shown, of ` +
			`${rows.length - 1} (the first ${PREVIEW_ROWS} wanted)`);
		same(body, rows.slice(1, 1 + n), `${what}: the rows shown`);
	} else if (e.preview === 'image') {
		const img = prev.locator('img.preview');
		const src = await img.getAttribute('src');
		check(decodedPath(src, s.page.url()).endsWith(`/raw/${e.key}`),
			`${what}: img.preview's src is ${src}`);
		await s.page.waitForFunction(() => {
			const i = document.querySelector('img.preview');
			return i && i.complete;
		});
		const size = await img.evaluate((i) =>
			[i.naturalWidth, i.naturalHeight]);
		check(size[0] > 0, `${what}: the browser could not decode ` +
			`the image (naturalWidth 0)`);
		same(size, [e.width, e.height], `${what}: the decoded image's size`);
	}
}

async function download(s, e, what) {
	const [dl] = await Promise.all([
		s.page.waitForEvent('download'),
		s.page.locator('a#download').click(),
	]);
	const file = await dl.path();
	check(file, `${what}: the download failed: ${await dl.failure()}`);
	const got = fs.readFileSync(file);
	const want = fs.readFileSync(e.file);
	same(sha256(got), sha256(want),
		`${what}: sha256 of the download (${got.length} bytes)`);
	same(dl.suggestedFilename(), path.basename(e.key),
		`${what}: the download's file name`);
	await s.clean(`${what}, after its download`);
}

async function checkPaging(s, versionUrl) {
	const folder = plan.paging;
	const what = `the folder page of ${folder}`;
	const want = expectedListing(plan.version, folder);
	check(want.length > PAGE_ROWS,
		`the plan's paging folder has ${want.length} entries`);
	await openFolder(s, versionUrl, folder);
	const seen = [];
	let pageNo = 1;
	for (;;) {
		const rows = await listing(s.page);
		const w = `${what}, page ${pageNo}`;
		check(rows.length > 0 && rows.length <= PAGE_ROWS,
			`${w}: ${rows.length} rows`);
		seen.push(...rows.map((r) => r.name));
		same(await s.page.locator('a.prev').count() > 0, pageNo > 1,
			`${w}: has a.prev`);
		await s.clean(w);
		await s.shot(`paging-${pageNo}`, false);
		const next = s.page.locator('a.next').first();
		if (!await next.count())
			break;
		same(rows.length, PAGE_ROWS, `${w}: a full page before a.next`);
		await s.follow(next, `${w}: a.next`);
		pageNo++;
	}
	same(seen.length, want.length, `${what}: the rows of all pages`);
	same(seen.slice().sort(), want.map((e) => e.name).sort(),
		`${what}: the names on all pages`);
	await s.follow(s.page.locator('a.prev').first(), `${what}: a.prev`);
	const back = await listing(s.page);
	same(back.map((r) => r.name),
		seen.slice(PAGE_ROWS * (pageNo - 2), PAGE_ROWS * (pageNo - 1)),
		`${what}: the page a.prev goes back to`);
	await s.clean(`${what}, back`);
}

async function checkDiffPage(s, from, to, what) {
	await s.checkFrame(what);
	await s.checkCrumbs(what, ['/', `/pkg/${pkg}`]);
	const diff = quire('diff', '--json', '-r', reg, `${pkg}@${from}`,
		`${pkg}@${to}`);
	if (diff.equal) {
		same(await s.page.locator('p.equal').count(), 1,
			`${what}: p.equal`);
		await s.clean(what);
		return diff;
	}
	const summary = await s.page.textContent('p#summary');
	const m = /(\d+) added, (\d+) deleted, (\d+) modified, (\d+) metadata/
		.exec(summary);
	check(m, `${what}: p#summary says ${summary}`);
	same(m.slice(1).map(Number),
		[diff.added, diff.deleted, diff.modified, diff.metadata],
		`${what}: the counts of p#summary`);
	const rows = await s.page.$$eval('table#changes tr', (trs) =>
		trs.filter((tr) => tr.querySelector('td')).map((tr) => {
			const a = tr.querySelector('a');
			return {
				cls: tr.className,
				key: a ? a.textContent : null,
				href: a ? a.getAttribute('href') : null,
			};
		}));
	same(rows.map((r) => `${r.cls} ${r.key}`),
		diff.changes.map((c) => `${c.status} ${c.logical_key}`),
		`${what}: the rows of table#changes`);
	for (const r of rows) {
		if (!r.href)
			continue;
		const p = decodedPath(r.href);
		const rev = revOf(p);
		const want = r.cls === 'deleted' ? from : to;
		check(p.endsWith(`/entry/${r.key}`) && rev &&
			want.startsWith(rev.slice(1)) && rev.length >= 7,
			`${what}: the ${r.cls} row ${r.key} links to ${p}, not ` +
			`to its entry in ${short(want)}`);
	}
	await s.clean(what);
	return diff;
}

async function walkDiff(s, packageUrl) {
	const { from, to } = plan.diff;
	await s.goto(packageUrl, 'the package page');
	const row = s.page.locator('table#versions tr.version', {
		has: s.page.locator(`a.version[href$="@${to}"]`) });
	await s.follow(row.locator('a.diff'),
		`a.diff of ${short(to)} on the package page`);
	const diff = await checkDiffPage(s, from, to,
		`the diff of ${short(from)}..${short(to)} (a.diff)`);
	await s.shot('diff');
	const link = s.page.locator('table#changes tr.modified a').first();
	if (await link.count()) {
		const key = await link.textContent();
		await s.follow(link, `the diff's link to ${key}`);
		await s.checkFrame(`the entry page of ${key} (from the diff)`);
		const p = decodedPath(s.page.url());
		check(p.endsWith(`/entry/${key}`) &&
			to.startsWith(revOf(p).slice(1)),
			`the diff's link to ${key} led to ${p}`);
		await s.clean(`the entry page of ${key} (from the diff)`);
		await s.shot('diff-entry');
	}

	// the same diff through the form, then a version with itself
	for (const [a, b, name] of [[from, to, 'diff-form'],
		[to, to, 'diff-equal']]) {
		await s.goto(packageUrl, 'the package page');
		const form = s.page.locator('form#diff-form');
		await selectVersion(form.locator('select[name="from"]'), a);
		await selectVersion(form.locator('select[name="to"]'), b);
		const resp = await s.navigate(() => form.locator(
			'button, input[type="submit"]').first().click());
		await s.checkResponse(resp, `the diff form (${name})`);
		same(new URL(s.page.url()).pathname, `/pkg/${pkg}/diff`,
			`the diff form (${name}): the page it leads to`);
		const d = await checkDiffPage(s, a, b,
			`the diff of ${short(a)}..${short(b)} (the form)`);
		if (a === b)
			check(d.equal, 'a version differs from itself');
		await s.shot(name);
	}
	return diff;
}

// Pick the option of SELECT that names version HASH.
async function selectVersion(select, hash) {
	const values = await select.locator('option').evaluateAll((os) =>
		os.map((o) => o.value));
	const v = values.find((x) => x.length >= 6 &&
		hash.startsWith(x.replace(/^@/, '')));
	check(v, `no option for ${short(hash)} in the diff form: ` +
		JSON.stringify(values));
	await select.selectOption(v);
}

async function walkLineage(s, packageUrl) {
	await s.goto(packageUrl, 'the package page');
	await s.follow(s.page.locator('a#lineage'), 'a#lineage');
	await checkLineage(s, pkg);
	await s.shot('lineage');
}

async function checkLineage(s, name) {
	const what = `the lineage page of ${name}`;
	await s.checkFrame(what);
	const log = quire('log', '--json', '-r', reg, name);
	const latest = log.versions.find((v) => v.refs.includes('latest')) ||
		log.versions[0];
	const lin = quire('lineage', '--json', '-r', reg,
		`${name}@${latest.top_hash}`);
	const got = await s.page.$$eval('ul#lineage li', (lis) =>
		lis.map((li) => {
			const a = li.querySelector(':scope > a.version');
			let depth = 0;
			for (let p = li.parentElement; p; p = p.parentElement)
				if (p.tagName === 'LI')
					depth++;
			return { text: a && a.textContent, depth };
		}));
	check(got.length >= 1, `${what}: no li in ul#lineage`);
	same(got[0], { text: `${name}@${short(lin.root)}`, depth: 0 },
		`${what}: its first item`);
	const names = new Set(lin.nodes.map((n) =>
		`${n.name}@${short(n.top_hash)}`));
	for (const g of got)
		check(names.has(g.text), `${what}: ${g.text} is not in ` +
			`'quire lineage': ${[...names].join(' ')}`);
	const root = lin.nodes.find((n) => n.top_hash === lin.root);
	for (const p of root.parents) {
		const n = lin.nodes.find((x) => x.top_hash === p);
		check(got.some((g) => g.depth === 1 &&
			g.text === `${n.name}@${short(p)}`),
			`${what}: the parent ${n.name}@${short(p)} is not ` +
			'nested in the first item');
	}
	await s.clean(what);
}

async function walkDerived(s) {
	const name = plan.derived;
	await s.goto(base, 'the registry page');
	await s.follow(s.page.locator('table#packages a.package', {
		hasText: new RegExp(`^${escapeRe(name)}$`) }),
		`the link to ${name}`);
	const log = quire('log', '--json', '-r', reg, name);
	const top = log.versions[0].top_hash;
	await s.follow(s.page.locator(`table#versions a.version[href$="@${top}"]`),
		`the newest version of ${name}`);
	const show = quire('show', '--json', '-r', reg, `${name}@${top}`);
	const parent = show.provenance.parents[0];
	const what = `the version page of ${name}`;
	await s.checkFrame(what);
	await s.clean(what);
	await s.shot('derived-version');
	await s.follow(s.page.locator('section#provenance a.parent'),
		`the parent link of ${name}`);
	same(decodedPath(s.page.url()), `/pkg/${parent.name}@${parent.top_hash}`,
		'the page a.parent leads to');
	await s.checkFrame(`the parent version page`);
	await s.clean(`the parent version page`);
	await s.shot('derived-parent');
	await s.goto(new URL(`pkg/${name}@${top}`, base).href,
		what);
	await s.follow(s.page.locator('a#lineage'), `a#lineage of ${name}`);
	await checkLineage(s, name);
	await s.shot('derived-lineage');
}

main(async (open) => {
	const s = open(await Session.start({ label: '' }));
	const list = await checkRegistry(s);
	if (plan.filter)
		await checkFilter(s, list);

	// registry -> package
	await s.follow(s.page.locator('table#packages a.package', {
		hasText: new RegExp(`^${escapeRe(pkg)}$`) }),
		`the registry's link to ${pkg}`);
	const packageUrl = s.page.url();
	const log = quire('log', '--json', '-r', reg, pkg);
	await checkPackage(s, log);
	await s.clean(`the package page of ${pkg}`);
	await s.shot('package');

	// package -> version
	const hash = plan.version;
	check(log.versions.some((v) => v.top_hash === hash),
		`the plan's version ${hash} is not in the log of ${pkg}`);
	await s.follow(s.page.locator(`table#versions a.version[href$="@${hash}"]`),
		`the link to ${short(hash)}`);
	const versionUrl = s.page.url();
	const show = quire('show', '--json', '-r', reg, `${pkg}@${hash}`);
	await checkVersion(s, show, hash);

	// version -> folder
	await openFolder(s, versionUrl, plan.folder);
	await checkFolder(s, hash, plan.folder);
	await s.shot('folder');

	// folder -> entries, each downloaded
	for (const e of plan.entries) {
		const dir = e.key.includes('/') ?
			e.key.replace(/[^/]*$/, '') : '';
		await openFolder(s, versionUrl, dir);
		if (dir)
			await checkFolder(s, hash, dir);
		const ls = expectedListing(hash, dir);
		const name = e.key.slice(dir.length);
		const entry = ls.find((x) => x.kind === 'file' &&
			x.name === name);
		check(entry, `${e.key} is not in 'quire ls' of ${dir}`);
		await s.follow(s.page.locator('table#entries a.file', {
			hasText: new RegExp(`^${escapeRe(name)}$`) }),
			`the link to ${e.key}`);
		await checkEntry(s, hash, e, entry.entry);
		// back up through the crumbs
		await s.follow(await s.crumb(`/pkg/${pkg}`),
			'the crumb to the package');
		same(s.page.url(), packageUrl, 'the package crumb');
	}

	if (plan.paging)
		await checkPaging(s, versionUrl);
	if (plan.diff)
		await walkDiff(s, packageUrl);
	await walkLineage(s, packageUrl);
	if (plan.derived)
		await walkDerived(s);
	// a browser asks for /favicon.ico by itself unless a page names an
	// icon: a 404 there is an error in every page's console
	lib.later(s.iconMisses.length === 0, 'the icon the browser asks ' +
		`for by itself, ${s.iconMisses[0]}: a 404 in the console ` +
		`(${s.iconMisses.length} times)`, 'favicon');
	await s.close();
	console.log(`walked ${s.shotCount} pages of ${pkg}`);
});
