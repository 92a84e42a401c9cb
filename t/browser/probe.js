'use strict';
// Can this machine run the browser tests? Start Chromium as the tests
// do and render a page (t/lib-browser.sh runs this before any test).
const { Session, main, same } = require('./lib');

main(async (open) => {
	const s = open(await Session.start({ label: 'probe' }));
	await s.page.setContent('<h1>quire browser probe</h1>');
	same(await s.page.textContent('h1'), 'quire browser probe',
		'the probe page');
	await s.close();
});
