// encode.mjs — the independent side of tests/unit/test_escpos_npm.c.
//
// Encodes the same ESC/POS commands as our encoder with the npm package
// @point-of-sale/receipt-printer-encoder (pinned in package-lock.json) and
// prints one command per line: "<group> <hex>". Groups: init, text (code
// page select, then the text bytes), qr, code128.
//
// Usage: node encode.mjs QR_PAYLOAD CODE128_TEXT CP858_TEXT
// Not part of the firmware; never shipped.
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';

const [qr, code, text] = process.argv.slice(2);
if (text === undefined) {
  console.error('usage: node encode.mjs QR_PAYLOAD CODE128_TEXT CP858_TEXT');
  process.exit(2);
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const fresh = () => new ReceiptPrinterEncoder({language: 'esc-pos', columns: 48});

function print(group, encoder) {
  for (const line of encoder.encode('lines')) {
    for (const item of line) {
      if (item.payload && item.payload.length) {
        console.log(`${group} ${hex(item.payload)}`);
      }
    }
  }
}

print('init', fresh().initialize());
print('text', fresh().codepage('cp858').text(text));
// Module size 6, model 2, error correction M: our defaults.
print('qr', fresh().qrcode(qr, {model: 2, size: 6, errorlevel: 'm'}));
// width 1 is GS w 2 in this package; 80 dots high; text below (GS H 2).
print('code128', fresh().barcode(code, 'code128', {height: 80, width: 1, text: 'below'}));
