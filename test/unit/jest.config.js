/**
 * The unit tier on its own, as defined in the root jest.config.js (one definition of the tier):
 *
 *   NODE_OPTIONS=--experimental-vm-modules npx jest -c test/unit/jest.config.js --coverage
 *
 * `npm run test:coverage` is the same run with a 90 % line threshold over lambda/checks.
 */
const root = require('../../jest.config.js');

const unit = root.projects.find((p) => p.displayName === 'unit');

module.exports = {
  ...unit,
  displayName: undefined,
  maxWorkers: 1,
  collectCoverageFrom: root.collectCoverageFrom,
  coverageReporters: root.coverageReporters,
};
