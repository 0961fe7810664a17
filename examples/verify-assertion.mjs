#!/usr/bin/env node
// Verifies a Gatehouse identity assertion using nothing but the gateway's published JWKS.
// Usage:
//   node examples/verify-assertion.mjs --jwks https://gate.example.com/.well-known/gatehouse/jwks.json \
//     --issuer https://gate.example.com --audience https://app.example.com <assertion>
//   (or pipe the assertion on stdin). Prints the verified claims as JSON; exits 1 when the
//   assertion is not valid (bad signature, unknown key, wrong issuer or audience, expired).
// Needs only the `jose` package (npm install jose). In an app, do the same per request:
// keep ONE createRemoteJWKSet per process (it caches the keys and refetches on a new kid).
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: {
    jwks: { type: 'string' },
    issuer: { type: 'string' },
    audience: { type: 'string' },
  },
  allowPositionals: true,
});

if (!values.jwks || !values.issuer || !values.audience) {
  console.error('usage: verify-assertion.mjs --jwks URL --issuer URL --audience AUD [ASSERTION]');
  process.exit(2);
}

let assertion = positionals[0];
if (assertion === undefined) {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  assertion = Buffer.concat(chunks).toString('utf8').trim();
}

const jwks = createRemoteJWKSet(new URL(values.jwks));
try {
  const { payload, protectedHeader } = await jwtVerify(assertion, jwks, {
    issuer: values.issuer, // the gateway's public_url
    audience: values.audience, // your app: the route's `audience`, default its origin
    algorithms: ['ES256', 'RS256', 'EdDSA'], // never accept what you did not configure
    maxTokenAge: '10m', // belt and braces: assertions live 5 minutes by default
  });
  console.log(JSON.stringify({ kid: protectedHeader.kid, ...payload }, null, 2));
} catch (err) {
  console.error(`invalid assertion: ${err.code ?? ''} ${err.message}`);
  process.exit(1);
}
