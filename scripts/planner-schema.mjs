// Writes docs/planner-output.schema.json from the planner output schema (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { plannerOutputJsonSchema } from '../dist/core/breakdown/schemas.js';

const file = new URL('../docs/planner-output.schema.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(plannerOutputJsonSchema(), null, 2)}\n`);
console.log(`written ${file.pathname}`);
