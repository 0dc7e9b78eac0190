// A real OpenID Connect provider on loopback for the identity tests: the
// npm package oidc-provider (pinned in package-lock.json), not a mock.
//
//   node provider.mjs [PORT]      (0 or nothing: a free port)
//
// Prints "ready <port>" once it listens on 127.0.0.1. Issuer:
// http://127.0.0.1:<port>. Clients (native apps, RFC 8252: loopback
// redirect URIs on any port, PKCE required):
//   tto-relay     / tto-relay-secret     ID tokens signed RS256
//   tto-relay-es  / tto-relay-es-secret  ID tokens signed ES256
//   other-app     / other-app-secret     another audience (RS256)
// Accounts: "alice" and "bob" (any password). The login and consent pages
// are oidc-provider's development interactions: HTML forms a test's HTTP
// client fills in, as a browser would.
// ID tokens live 120 s so a test can move the relay's clock past them
// without the relay's 10-minute sign-in state running out first.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);

const accounts = {
  alice: { name: 'Alice Example' },
  bob: { name: 'Bob Example' },
};

// Fresh keys per run: one RSA, one P-256, so both RS256 and ES256 are used.
function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

  return [
    { ...rsa, kid: 'test-rsa-1', use: 'sig', alg: 'RS256' },
    { ...ec, kid: 'test-ec-1', use: 'sig', alg: 'ES256' },
  ];
}

function nativeClient(clientId, secret, alg) {
  return {
    client_id: clientId,
    client_secret: secret,
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback',
      'http://localhost/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: alg,
  };
}

// stdout carries only the ready line (the test stops reading after it);
// oidc-provider's notices go to stderr with its warnings.
console.log = console.error;
console.info = console.error;

const server = http.createServer();

server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      nativeClient('tto-relay', 'tto-relay-secret', 'RS256'),
      nativeClient('tto-relay-es', 'tto-relay-es-secret', 'ES256'),
      nativeClient('other-app', 'other-app-secret', 'RS256'),
    ],
    jwks: { keys: signingKeys() },
    async findAccount(ctx, id) {
      if (!Object.hasOwn(accounts, id)) {
        return undefined;
      }
      return {
        accountId: id,
        async claims() {
          return { sub: id, name: accounts[id].name };
        },
      };
    },
    claims: { openid: ['sub'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    ttl: {
      IdToken: 120, AccessToken: 600, AuthorizationCode: 120, Interaction: 600, Session: 3600,
      Grant: 3600,
    },
  });

  server.on('request', provider.callback());
  process.stdout.write(`ready ${server.address().port}\n`);
});

// The test stops the provider with SIGTERM when it is done, or closes its
// stdin by exiting (even when it crashes): no provider outlives its test.
process.on('SIGTERM', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
