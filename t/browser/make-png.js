'use strict';
// make-png.js WIDTH HEIGHT FILE: write a WIDTH x HEIGHT RGB PNG of a
// colour gradient, for the image previews of the browser tests.
const fs = require('fs');
const zlib = require('zlib');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++)
		c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf)
		c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([len, body, crc]);
}

const [w, h, file] = [Number(process.argv[2]), Number(process.argv[3]),
	process.argv[4]];
if (!(w > 0 && h > 0 && file)) {
	console.error('usage: make-png.js <width> <height> <file>');
	process.exit(2);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(w, 0);
ihdr.writeUInt32BE(h, 4);
ihdr[8] = 8;	// bit depth
ihdr[9] = 2;	// colour type: RGB
const raw = Buffer.alloc((3 * w + 1) * h);
for (let y = 0; y < h; y++) {
	const row = y * (3 * w + 1);
	raw[row] = 0;	// filter: none
	for (let x = 0; x < w; x++) {
		raw[row + 1 + 3 * x] = Math.floor(255 * x / w);
		raw[row + 2 + 3 * x] = Math.floor(255 * y / h);
		raw[row + 3 + 3 * x] = 128;
	}
}
fs.writeFileSync(file, Buffer.concat([
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	chunk('IHDR', ihdr),
	chunk('IDAT', zlib.deflateSync(raw)),
	chunk('IEND', Buffer.alloc(0)),
]));
