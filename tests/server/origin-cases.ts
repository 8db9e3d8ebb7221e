/**
 * Who may open the gateway's socket or POST to the publish endpoint, as cases
 * that the gateway's and the endpoint's tests both run against real requests.
 * The server under test allows `EXTRA_ORIGIN` (and so its host name, for
 * same-host pages) and no other host names; `host` defaults to the server's
 * own loopback address.
 */
export const EXTRA_ORIGIN = 'https://dash.example.com';

export interface OriginCase {
  name: string;
  origin?: string;
  host?: string;
  allowed: boolean;
}

export const ORIGIN_CASES: OriginCase[] = [
  { name: 'no Origin (curl, a server, a ws client)', allowed: true },
  { name: 'a page of the same host, reached by IPv4 address', origin: 'http://10.1.2.3:8080', host: '10.1.2.3:8080', allowed: true },
  { name: 'a page of the same host, reached by IPv6 address', origin: 'http://[2001:db8::1]:8080', host: '[2001:db8::1]:8080', allowed: true },
  { name: 'a page of the same host, reached by the allowed origin’s name', origin: 'http://dash.example.com:8080', host: 'dash.example.com:8080', allowed: true },
  { name: 'a loopback page on another port (localhost)', origin: 'http://localhost:5173', allowed: true },
  { name: 'a loopback page on another port (127.0.0.1)', origin: 'http://127.0.0.1:3000', allowed: true },
  { name: 'a loopback page on another port ([::1])', origin: 'http://[::1]:4173', allowed: true },
  { name: 'an allowed extra origin', origin: EXTRA_ORIGIN, allowed: true },
  { name: 'a page of another site', origin: 'https://evil.example', allowed: false },
  { name: 'a DNS-rebinding page (its name pointed at this server)', origin: 'http://evil.example:8080', host: 'evil.example:8080', allowed: false },
  { name: 'a page of the same host by a name not allowed', origin: 'http://mesh.internal:8080', host: 'mesh.internal:8080', allowed: false },
  { name: 'a page of the same address on another port', origin: 'http://10.1.2.3:9999', host: '10.1.2.3:8080', allowed: false },
  { name: 'a name that only starts like localhost', origin: 'http://localhost.evil.example', allowed: false },
  { name: 'an extra origin on another port', origin: `${EXTRA_ORIGIN}:8443`, allowed: false },
  { name: 'an opaque origin (a sandboxed frame, a file)', origin: 'null', allowed: false },
];
