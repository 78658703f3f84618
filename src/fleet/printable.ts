// Text from a server (labels, error messages) printed with its control characters escaped: a label
// value holding `\x1b]…\x07` must not reach the terminal of whoever runs the report.
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const n = c.charCodeAt(0);
    return n > 0xff ? `\\u${n.toString(16).padStart(4, '0')}` : `\\x${n.toString(16).padStart(2, '0')}`;
  });
}
