import { csrfField, h, notice, page, raw } from '../html.js';

export function signInPage(o: { certificateSubject?: string; certificateUnknown?: boolean; tokenSignIn: boolean; error?: string; csrf: string }): string {
  return page({
    title: 'Anmelden',
    body: h`${o.error ? notice('fehler', o.error) : raw('')}
${o.certificateSubject !== undefined
    ? h`<form method="post" action="/anmelden">${csrfField(o.csrf)}<p>Ihr Client-Zertifikat: <strong>${o.certificateSubject}</strong></p>
${o.certificateUnknown ? notice('fehler', 'Dieses Zertifikat ist keiner Rolle zugeordnet.') : h`<button type="submit" name="verfahren" value="zertifikat">Mit Zertifikat anmelden</button>`}</form>`
    : raw('')}
${o.tokenSignIn
    ? h`<form method="post" action="/anmelden" class="felder">${csrfField(o.csrf)}
<div><label for="token">Einmal-Token (Entwicklung, beim Start ausgegeben)</label><input id="token" name="token" type="password" autocomplete="off" required></div>
<div><button type="submit" name="verfahren" value="token">Anmelden</button></div></form>`
    : raw('')}
${o.certificateSubject === undefined && !o.tokenSignIn ? notice('fehler', 'Anmeldung nur mit einem Client-Zertifikat möglich.') : raw('')}`,
  });
}
