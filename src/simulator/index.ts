/** Public surface of the simulated registers (wired to `xmeld-gateway simulate` by the CLI). */
export {
  DEFAULT_SLOW_DELAY_MS,
  startSimulatedRegisters,
  type RegisterBehaviour,
  type SimulatedRegisters,
  type SimulatorOptions,
  type SimulatorSecurity,
} from './server.js';
export { BLOCK_DIALECTS, LANDS, LAND_CODES, isLandCode, type BlockDialect, type LandCode, type LandInfo } from './lands.js';
export {
  defaultPopulationPath,
  loadPopulation,
  populationFromData,
  populationFromYaml,
  PopulationError,
  type Person,
  type Population,
} from './population.js';
export { MAGIC_NAMES, magicFor, type Magic } from './magic.js';
export { identifikationsmerkmalFor } from './token.js';
export { compose1330, compose1332, DEFAULT_AUTHOR, type Query1330Spec, type Query1332Spec } from './compose-query.js';
export { FIXTURE_QUERIES, renderFixtureQuery, type FixtureQuery } from './fixture-queries.js';
