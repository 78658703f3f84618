import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { escapeControl, escapeControlKeepNewlines, escapeDeep, hasUnsafeText } from '../../../src/text/escape.js';
import { renderJunit } from '../../../src/report/junit.js';
import type { ProcessReport } from '../../../src/types.js';

test('C0, DEL, C1, bidi controls, separators, lone surrogates and U+FFFE/U+FFFF are written visibly; the rest is untouched', () => {
  assert.equal(escapeControl('\x1b]0;pwned\x07\x1b[2J'), '\\x1b]0;pwned\\x07\\x1b[2J');
  assert.equal(escapeControl('a\tb\nc\rd\x00e\x7ff\x9bg'), 'a\\x09b\\x0ac\\x0dd\\x00e\\x7ff\\x9bg');
  assert.equal(escapeControl('\u202eabc\u2066x\u2069\u200f\u061c\u2028'), '\\u{202e}abc\\u{2066}x\\u{2069}\\u{200f}\\u{61c}\\u{2028}');
  assert.equal(escapeControl('\ud800x\udfff\ufffe\uffff'), '\\u{d800}x\\u{dfff}\\u{fffe}\\u{ffff}');
  // Real text stays as it is: accents, CJK, emoji (a well-formed surrogate pair), box drawing.
  const fine = 'café 训练 🔥 └─ torch.nn.Module <x> & "y"';
  assert.equal(escapeControl(fine), fine);
  assert.equal(hasUnsafeText(fine), false);
  assert.equal(hasUnsafeText('a\x1b'), true);
  assert.equal(hasUnsafeText('a\x1b'), true, 'no state carried between calls');
  // Idempotent: escaping twice changes nothing more (renderers may escape what a reader already did).
  const once = escapeControl('\x1b[2J\u202e\uffff');
  assert.equal(escapeControl(once), once);
  assert.equal(escapeControlKeepNewlines('a\nb\x1b'), 'a\nb\\x1b');
});

test('escapeDeep escapes every string and key of plain data, and leaves numbers, null and booleans', () => {
  const v = escapeDeep({ type: '\x1b[31mX', n: 3, ok: true, none: null, list: ['\x07', { path: '\u202ea' }], counts: { '\x1bk': 1 } });
  assert.deepEqual(v, { type: '\\x1b[31mX', n: 3, ok: true, none: null, list: ['\\x07', { path: '\\u{202e}a' }], counts: { '\\x1bk': 1 } });
});

test('JUnit stays well-formed XML (python xml.etree parses it) whatever a process is called', () => {
  const row = { pid: 7, name: 'p\uffff\x1b]0;x\x07\x00<&"', cmdline: 'c\ufffe\x0c\ud800', role: 'main', metric: 'uss', duration_s: 10 } as unknown as ProcessReport;
  const xml = renderJunit('suite \x01', [{ row, line: 'FAIL \x1b[2J p\uffff', failed: true, skipped: false }], 10);
  assert.doesNotMatch(xml, /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]|[\ud800-\udfff]/u);
  const name = execFileSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.buffer.read()); print(r.find(".//testcase").get("name"))'], { input: xml, encoding: 'utf8' });
  assert.equal(name.trim(), 'p\\u{ffff}\\x1b]0;x\\x07\\x00<&" 7 (main, uss)');
});

test("escapeDeep keeps a parsed `__proto__` key as data: the copy gets no prototype and no fields it did not have", () => {
  const parsed = JSON.parse('{"__proto__": {"budget": {"parts": 7}}, "growing": []}') as Record<string, unknown>;
  const v = escapeDeep(parsed);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.equal(v.budget, undefined, 'no inherited budget');
  assert.deepEqual(Object.keys(v), ['__proto__', 'growing']);
});
