import { describe, expect, it } from 'vitest';
import { accessSettingsFromEnv, listenSettingsFromEnv, loopbackListenHost, projectSeed, simulationSettingsFromEnv } from '../../src/server/env.ts';

describe('server settings from the environment', () => {
  it('defaults to a lively simulated mesh on 127.0.0.1:8080', () => {
    expect(simulationSettingsFromEnv({})).toEqual({ enabled: true, size: 30, ratePerSecond: 150 });
    expect(listenSettingsFromEnv({})).toEqual({ port: 8080, host: '127.0.0.1' });
  });

  it.each([
    { env: { MESHWATCH_SIM: 'off' }, expected: { enabled: false } },
    { env: { MESHWATCH_SIM: 'OFF' }, expected: { enabled: false } },
    { env: { MESHWATCH_SIM: '0' }, expected: { enabled: false } },
    { env: { MESHWATCH_SIM: 'on' }, expected: { enabled: true } },
    { env: { MESHWATCH_SIM_SIZE: '500' }, expected: { size: 500 } },
    { env: { MESHWATCH_SIM_RATE: '1200.5' }, expected: { ratePerSecond: 1200.5 } },
    { env: { MESHWATCH_SIM_SEED: ' blue ' }, expected: { seed: 'blue' } },
  ])('reads $env', ({ env, expected }) => {
    expect(simulationSettingsFromEnv(env)).toMatchObject(expected);
  });

  it.each([
    { name: 'MESHWATCH_SIM_SIZE', value: 'lots', field: 'size', fallback: 30 },
    { name: 'MESHWATCH_SIM_SIZE', value: '3', field: 'size', fallback: 30 },
    { name: 'MESHWATCH_SIM_SIZE', value: '40.5', field: 'size', fallback: 30 },
    { name: 'MESHWATCH_SIM_RATE', value: '-1', field: 'ratePerSecond', fallback: 150 },
    { name: 'MESHWATCH_SIM_RATE', value: 'Infinity', field: 'ratePerSecond', fallback: 150 },
  ])('warns about $name=$value and uses the default', ({ name, value, field, fallback }) => {
    const warnings: string[] = [];
    const settings = simulationSettingsFromEnv({ [name]: value }, (message) => warnings.push(message));
    expect(settings[field as 'size' | 'ratePerSecond']).toBe(fallback);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(name);
  });

  it('warns about a port out of range', () => {
    const warnings: string[] = [];
    expect(listenSettingsFromEnv({ PORT: '70000', HOST: '0.0.0.0' }, (m) => warnings.push(m))).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(warnings).toHaveLength(1);
  });

  it('seeds a project by its id, salted by MESHWATCH_SIM_SEED', () => {
    expect(projectSeed('demo')).toBe('demo');
    expect(projectSeed('demo', 'blue')).toBe('blue:demo');
  });

  describe('access settings', () => {
    it('defaults to no extra origins, any project, and 50 sockets per user and 1000 per project', () => {
      const defaults = { allowedOrigins: [], maxConnectionsPerUser: 50, maxConnectionsPerProject: 1000 };
      expect(accessSettingsFromEnv({})).toEqual(defaults);
      expect(accessSettingsFromEnv({ MESHWATCH_PROJECTS: ' , ', MESHWATCH_ALLOWED_ORIGINS: '' })).toEqual(defaults);
    });

    it.each([
      { env: { MESHWATCH_ALLOWED_ORIGINS: 'https://dash.example.com' }, expected: { allowedOrigins: ['https://dash.example.com'] } },
      {
        env: { MESHWATCH_ALLOWED_ORIGINS: ' https://Dash.Example.com/ , http://10.0.0.5:8080,,https://dash.example.com ' },
        expected: { allowedOrigins: ['https://dash.example.com', 'http://10.0.0.5:8080'] },
      },
      { env: { MESHWATCH_ALLOWED_ORIGINS: ' , ' }, expected: { allowedOrigins: [] } },
      { env: { MESHWATCH_PROJECTS: 'prod, staging ,,prod' }, expected: { projects: ['prod', 'staging'] } },
      { env: { MESHWATCH_PROJECTS: 'x'.repeat(128) }, expected: { projects: ['x'.repeat(128)] } },
      { env: { MESHWATCH_MAX_CONNECTIONS_PER_USER: '5' }, expected: { maxConnectionsPerUser: 5 } },
      { env: { MESHWATCH_MAX_CONNECTIONS_PER_PROJECT: '1000000' }, expected: { maxConnectionsPerProject: 1_000_000 } },
    ])('reads $env', ({ env, expected }) => {
      const warnings: string[] = [];
      expect(accessSettingsFromEnv(env, (m) => warnings.push(m))).toMatchObject(expected);
      expect(warnings).toEqual([]);
    });

    it.each([
      { value: 'dash.example.com', reason: 'no scheme' },
      { value: 'ftp://dash.example.com', reason: 'not http(s)' },
      { value: 'https://dash.example.com/app', reason: 'a path' },
      { value: 'https://dash.example.com/?x=1', reason: 'a query' },
      { value: 'https://user@dash.example.com', reason: 'credentials' },
      { value: 'null', reason: 'the opaque origin' },
      { value: '*', reason: 'a wildcard' },
    ])('warns about and skips an allowed origin with $reason ($value)', ({ value }) => {
      const warnings: string[] = [];
      const settings = accessSettingsFromEnv({ MESHWATCH_ALLOWED_ORIGINS: `${value},https://ok.example` }, (m) => warnings.push(m));
      expect(settings.allowedOrigins).toEqual(['https://ok.example']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('MESHWATCH_ALLOWED_ORIGINS');
      expect(warnings[0]).toContain(JSON.stringify(value));
    });

    it('warns about and skips an overlong project id, and fails closed when none is left', () => {
      const warnings: string[] = [];
      expect(accessSettingsFromEnv({ MESHWATCH_PROJECTS: `prod,${'x'.repeat(129)}` }, (m) => warnings.push(m)).projects).toEqual(['prod']);
      expect(accessSettingsFromEnv({ MESHWATCH_PROJECTS: 'x'.repeat(129) }, (m) => warnings.push(m)).projects).toEqual([]);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toContain('MESHWATCH_PROJECTS');
    });

    it.each([
      { name: 'MESHWATCH_MAX_CONNECTIONS_PER_USER', value: '0', field: 'maxConnectionsPerUser', fallback: 50 },
      { name: 'MESHWATCH_MAX_CONNECTIONS_PER_USER', value: '100001', field: 'maxConnectionsPerUser', fallback: 50 },
      { name: 'MESHWATCH_MAX_CONNECTIONS_PER_USER', value: '2.5', field: 'maxConnectionsPerUser', fallback: 50 },
      { name: 'MESHWATCH_MAX_CONNECTIONS_PER_PROJECT', value: 'many', field: 'maxConnectionsPerProject', fallback: 1000 },
      { name: 'MESHWATCH_MAX_CONNECTIONS_PER_PROJECT', value: '1000001', field: 'maxConnectionsPerProject', fallback: 1000 },
    ])('warns about $name=$value and uses the default', ({ name, value, field, fallback }) => {
      const warnings: string[] = [];
      const settings = accessSettingsFromEnv({ [name]: value }, (m) => warnings.push(m));
      expect(settings[field as 'maxConnectionsPerUser' | 'maxConnectionsPerProject']).toBe(fallback);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(name);
    });
  });

  describe('listening host without token auth', () => {
    const noAuth = 'no token auth configured (set MESHWATCH_JWT_SECRET or MESHWATCH_JWT_PUBLIC_KEY): listening on 127.0.0.1 only, not';
    it.each([
      { host: '127.0.0.1', auth: false, expected: '127.0.0.1', notice: 'no token auth configured: loopback only (127.0.0.1); anyone on this machine can watch' },
      { host: '127.0.0.53', auth: false, expected: '127.0.0.53', notice: 'no token auth configured: loopback only (127.0.0.53); anyone on this machine can watch' },
      { host: 'localhost', auth: false, expected: 'localhost', notice: 'no token auth configured: loopback only (localhost); anyone on this machine can watch' },
      { host: '::1', auth: false, expected: '::1', notice: 'no token auth configured: loopback only (::1); anyone on this machine can watch' },
      { host: '0.0.0.0', auth: false, expected: '127.0.0.1', notice: `${noAuth} 0.0.0.0` },
      { host: '::', auth: false, expected: '127.0.0.1', notice: `${noAuth} ::` },
      { host: '192.168.1.20', auth: false, expected: '127.0.0.1', notice: `${noAuth} 192.168.1.20` },
      { host: 'mesh.internal', auth: false, expected: '127.0.0.1', notice: `${noAuth} mesh.internal` },
      { host: '128.0.0.1', auth: false, expected: '127.0.0.1', notice: `${noAuth} 128.0.0.1` },
      { host: '0.0.0.0', auth: true, expected: '0.0.0.0', notice: null },
      { host: '127.0.0.1', auth: true, expected: '127.0.0.1', notice: null },
    ])('listens on $expected for HOST=$host (auth: $auth)', ({ host, auth, expected, notice }) => {
      expect(loopbackListenHost(host, auth)).toEqual({ host: expected, notice });
    });
  });
});
