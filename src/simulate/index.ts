// Public surface of the simulation: a synthetic population's agency feeds and its truth.
export {
  simulate,
  DEMO_CHILDREN,
  childrenPerYear,
  type SimulateOptions,
  type SimulateSummary,
} from './simulate.ts';
export { defaultNoise, heavyNoise, noiseLevels, type NoiseConfig, type NoiseLevel } from './noise.ts';
export { fullPopulation } from './calibration.ts';
export { allFiles, columns, filePlan, type Source } from './feed-layout.ts';
export type { TruthReport } from './truth-report.ts';
