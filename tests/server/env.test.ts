import { describe, expect, it } from 'vitest';
import { listenSettingsFromEnv, projectSeed, simulationSettingsFromEnv } from '../../src/server/env.ts';

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
});
