/** Quotes untrusted text for a one-line message: control characters escaped, long text cut. */
export function quote(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  const escaped = JSON.stringify(cut).slice(1, -1).replace(/[\u2028\u2029\u0085]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `'${escaped}'`;
}
