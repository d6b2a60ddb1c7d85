/**
 * The HCL front end: `parseHcl` turns one file of HCL native syntax into the AST of `ast.ts`
 * (every node with its source range), `formatHcl` lays a file out canonically. Both throw
 * ConfigError carrying every syntax diagnostic found, and nothing else.
 */
export type * from './ast.js'
export {formatHcl} from './format.js'
export {parseHcl} from './parse.js'
