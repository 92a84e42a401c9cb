// s3rver's own command line (bench/node_modules/s3rver, see package.json)
// with one fix, for bench/s3.sh. s3rver 3.7.1 does not know the
// subresource GET /BUCKET?versioning: it answers with a listing of the
// bucket's keys (up to 1000 of them), where S3 answers an empty
// VersioningConfiguration for a bucket that never had versioning. quire
// reads that answer with a 64 KiB cap, so once a bucket holds a few
// hundred keys every push and install to it fails there ("the answer
// could not be read (too large or malformed)"). Here that one request gets
// S3's answer; everything else is s3rver's.
//
//	node --openssl-legacy-provider bench/s3rver.js -d DIR -a 127.0.0.1 -p PORT --silent
'use strict';

const S3rver = require('s3rver');

const run = S3rver.prototype.run;
S3rver.prototype.run = function (...args) {
	this.middleware.unshift(async (ctx, next) => {
		if (ctx.method === 'GET' && 'versioning' in ctx.query &&
		    /^\/[^/]+\/?$/.test(ctx.path)) {
			ctx.type = 'application/xml';
			ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n' +
				'<VersioningConfiguration ' +
				'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>';
			return;
		}
		return next();
	});
	return run.apply(this, args);
};

require('s3rver/bin/s3rver.js');
