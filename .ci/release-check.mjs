// Release guard: while sitemsg is 0.x, no pending changeset may take a @sitemsg package to 1.0.0
// (a 0.x minor of core must not push plugins past their peer range into a major they did not ask for).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

mkdirSync('.tmp', { recursive: true });
execFileSync('pnpm', ['-s', 'changeset', 'status', '--output=.tmp/changeset-status.json'], {
  stdio: 'inherit',
});
const status = JSON.parse(readFileSync('.tmp/changeset-status.json', 'utf8'));
const majors = status.releases.filter((r) => r.oldVersion.startsWith('0.') && !r.newVersion.startsWith('0.'));
for (const r of status.releases) console.log(`${r.name}: ${r.oldVersion} -> ${r.newVersion} (${r.type})`);
if (majors.length > 0) {
  console.error(`Unrequested 1.0.0: ${majors.map((r) => r.name).join(', ')}`);
  process.exit(1);
}
console.log('release check: no package leaves 0.x');
