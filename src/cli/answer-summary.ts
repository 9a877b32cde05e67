/** A one-line reading of a gateway answer for people at a terminal (no personal data). */
export function summarizeAnswer(status: number, body: string): string {
  const vorgang = /<gw:vorgangsnummer>([^<]+)</.exec(body)?.[1];
  const status01 = /ergebnisstatus[^>]*>\s*<code>(\d+)<\/code>/.exec(body)?.[1];
  const codes = [...body.matchAll(/grundDerRueckweisung[^>]*>\s*<code>(\d+)<\/code>/g)].map((m) => m[1]);
  const rts = /<xmeld:grund[^>]*>\s*<code>([A-Z]\d{3})<\/code>/.exec(body)?.[1];
  const persons = (body.match(/<[\w.-]*:?person[\s>]/g) ?? []).length;
  const parts = [`HTTP ${status}`];
  if (vorgang) parts.push(`Vorgangsnummer ${vorgang}`);
  if (status01) parts.push(`ergebnisstatus ${status01}`, `${persons} Person(en)`);
  if (codes.length > 0) parts.push(`rueckweisung ${codes.join(',')}`);
  if (rts) parts.push(`0910 ${rts}`);
  return parts.join(' · ');
}
