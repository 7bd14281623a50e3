export * from './acknowledgements';
export * from './markers';
export * from './pack';
export * from './rule';
export * from './rules';
export * from './settings';
export type { StackIndex } from './stack-index';
export * from './testing';
export * from './sarif';
