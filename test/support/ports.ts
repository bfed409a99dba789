// One implementation for the tests and the benchmark (which is compiled, so it cannot import from test/).
export { freePort } from '../../bench/stack/free-port.js';
