import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A signing key made in the test, with the `kid` its key set names it by. */
export interface TestKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function testKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** An issuer's key set on a local port: what it publishes can change (a rotation); it counts its fetches. */
export interface JwksServer {
  url: string;
  publish(keys: TestKey[]): void;
  fetches(): number;
  close(): Promise<void>;
}

export async function jwksServer(keys: TestKey[]): Promise<JwksServer> {
  let published = keys;
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    publish: (next) => {
      published = next;
    },
    fetches: () => fetches,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TokenOptions {
  claims?: Record<string, unknown>;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative: already expired. */
  expiresIn?: number;
  notBefore?: number;
}

/** A token signed by `key` (a key-set key, or an HS256 secret). */
export async function signToken(key: TestKey | string, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(options.claims ?? {})
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .setSubject(String(options.claims?.sub ?? 'someone'));
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  if (typeof key === 'string') return jwt.setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(key));
  return jwt.setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
}

/** A token with `alg: none` and no signature, claiming whatever it likes. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ exp: Math.floor(Date.now() / 1000) + 600, ...claims })}.`;
}
