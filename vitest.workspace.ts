/** The test projects: one per package and example (each has its own vitest.config.ts). */
export const testProjects: string[] = ['packages/*', 'examples/*', 'tools/*'];
