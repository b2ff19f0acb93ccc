// An OpenID provider on loopback, configured like ID-porten, for Stafett's tests.
//
//   node provider.mjs CONFIG.json
//
// CONFIG: {"port": 5555, "clients": [{client_id, client_secret | jwks,
//          token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris,
//          backchannel_logout_uri?}]}
//
// Like ID-porten: discovery, JWKS (a fresh RS256 key per start), the code flow with PKCE
// (S256) only, acr values idporten-loa-substantial and idporten-loa-high, ui_locales, an
// ID token with pid (the fødselsnummer), acr, amr, locale and sid, RP-initiated logout
// (end_session_endpoint) and back-channel logout. Its own login page takes a fødselsnummer
// and the level; consent is given without asking, as in ID-porten.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const LEVELS = ['idporten-loa-high', 'idporten-loa-substantial'];
const LOCALES = ['nb', 'nn', 'en', 'se'];
const localeOf = new Map(); // pid -> the ui_locales of the login, for the ID token

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-idporten-1', use: 'sig', alg: 'RS256' };

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

async function logoutSource(ctx, form) {
  // ID-porten logs out without asking: the form is sent at once (and a test client that
  // does not run scripts sends it by its button, named like the provider expects).
  ctx.type = 'html';
  ctx.body = page('TestID — logger ut', `${form}
<button id="logout" type="submit" form="op.logoutForm" name="logout" value="yes">Logg ut</button>
<script>document.getElementById('logout').click();</script>`);
}

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    response_types: ['code'],
    grant_types: ['authorization_code'],
    backchannel_logout_session_required: true,
    ...client,
  })),
  jwks: { keys: [signingKey] },
  acrValues: LEVELS,
  claims: { openid: ['sub', 'pid', 'locale'] },
  conformIdTokenClaims: false,
  scopes: ['openid', 'profile'],
  responseTypes: ['code'],
  pkce: { required: () => true },
  cookies: { keys: ['stafett-test-provider-cookie-key'] },
  ttl: {
    AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600,
    Session: 3600, Grant: 3600,
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource },
    backchannelLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The clients are on loopback too: the library's guard against requests to private
  // addresses would stop the back-channel logout.
  fetch: (url, { dispatcher, ...options }) => globalThis.fetch(url, options),
  async findAccount(ctx, pid) {
    return {
      accountId: pid,
      async claims() {
        return {
          sub: createHash('sha256').update(`stafett-test:${pid}`).digest('hex').slice(0, 43),
          pid,
          locale: localeOf.get(pid) || 'nb',
        };
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('TestID — feil', `<p id="error">${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
  },
});

// What a test needs to see when a logout does not arrive (no tokens, no pids).
provider.on('backchannel.success', (ctx, client) => console.log(`back-channel logout sent to ${client.clientId}`));
provider.on('backchannel.error', (ctx, error, client) => console.log(`back-channel logout to ${client.clientId} failed: ${error.message}`));
provider.on('server_error', (ctx, error) => console.log(`server error: ${error.message}`));

function loginForm(uid, params, error = '') {
  const wanted = String(params.ui_locales || 'nb').split(' ')[0];
  const options = LEVELS.map((level) => `<option value="${level}">${level}</option>`).join('');
  return page('TestID — ID-porten (test)', `
<p>Språk: <span id="ui-locales">${escape(wanted)}</span></p>
${error ? `<p id="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label for="pid">Fødselsnummer</label> <input id="pid" name="pid" inputmode="numeric" autocomplete="off">
  <label for="acr">Sikkerhetsnivå</label> <select id="acr" name="acr">${options}</select>
  <button id="submit" type="submit">Logg inn</button>
</form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

async function consentWithoutAsking(req, res, details) {
  const { prompt: { details: missing }, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('TestID — feil', '<p>Ukjent innlogging.</p>'));
  if (details.prompt.name === 'consent') return consentWithoutAsking(req, res, details);
  if (req.method === 'GET') return send(res, 200, loginForm(uid, details.params));
  if (action !== 'login') return send(res, 404, page('TestID — feil', '<p>Ukjent side.</p>'));
  const form = await readForm(req);
  const pid = String(form.pid || '').replace(/\s/g, '');
  if (!/^\d{11}$/.test(pid)) {
    return send(res, 200, loginForm(uid, details.params, 'Fødselsnummeret må ha 11 siffer.'));
  }
  const acr = LEVELS.includes(form.acr) ? form.acr : LEVELS[0];
  const wanted = String(details.params.ui_locales || '').split(' ').find((l) => LOCALES.includes(l));
  localeOf.set(pid, wanted || 'nb');
  await provider.interactionFinished(req, res, { login: { accountId: pid, acr, amr: ['TestID'] } },
    { mergeWithLastSubmission: false });
}

const handle = provider.callback();
const server = http.createServer(async (req, res) => {
  const found = req.url.match(/^\/interaction\/([\w-]+)(?:\/(\w+))?/);
  if (!found) return handle(req, res);
  try {
    await interaction(req, res, found[1], found[2]);
  } catch (error) {
    send(res, 400, page('TestID — feil', `<p id="error">${escape(error.message)}</p>`));
  }
});
server.listen(config.port, '127.0.0.1', () => process.stdout.write(`listening on ${issuer}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
