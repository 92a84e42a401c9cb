'use strict';
// frame.js URL PATH...: the rules every page of the catalog keeps, for
// the pages at these paths (below URL): exactly one <h1> (a README's
// headings included), nav.crumbs and main, and nothing in the browser's
// console, not even for the icon the browser asks for by itself
// (/favicon.ico).
const { Session, later, main, strict } = require('./lib');

strict();

const [url, ...paths] = process.argv.slice(2);
if (!url || !paths.length) {
	console.error('usage: frame.js <server url> <path>...');
	process.exit(2);
}

main(async (open) => {
	const s = open(await Session.start({ label: 'frame' }));
	for (const p of paths) {
		const what = `the page ${p}`;
		await s.goto(new URL(p, url).href, what);
		await s.checkFrame(what);
		// the icon is asked for after the load
		await s.page.waitForTimeout(300);
		later(s.iconMisses.length === 0, `${what}: the browser's ` +
			`request for ${s.iconMisses[0]} answered 404 (an error ` +
			'in the console)');
		s.iconMisses = [];
		await s.clean(what);
		await s.shot(p.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 40));
	}
	await s.close();
});
