/** Writes schema/breakglass.config.schema.json from the zod schema (`npm run schema`). A test keeps it current. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../lib/config/json-schema';

const file = join(__dirname, '..', 'schema', 'breakglass.config.schema.json');
writeFileSync(file, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
