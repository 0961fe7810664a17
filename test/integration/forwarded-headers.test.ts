/** X-Forwarded-* handling: client values are kept only when the peer is a trusted proxy. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { parseEcho } from '../helpers/echo-upstream.js';

const spoofed = {
  'x-forwarded-for': '203.0.113.7, 198.51.100.2',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'evil.example',
  accept: 'application/json',
};

async function echoOf(url: string) {
  const res = await request(`${url}/`, { headers: spoofed });
  return parseEcho(await res.body.text()).headers;
}

describe('forwarding headers from an untrusted peer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  it('replaces them with what the gateway saw', async () => {
    const headers = await echoOf(h.url);
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(new URL(h.url).host);
  });
});

describe('forwarding headers from a trusted proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ extraConfig: 'trusted_proxies: [127.0.0.1/32]\n' });
  });
  afterAll(async () => {
    await h.close();
  });
  it('keeps the chain and believes proto and host', async () => {
    const headers = await echoOf(h.url);
    expect(headers['x-forwarded-for']).toBe('203.0.113.7, 198.51.100.2');
    expect(headers['x-forwarded-proto']).toBe('https');
  });
});
