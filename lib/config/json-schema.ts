import { z } from 'zod';
import { configSchema } from './schema';

/** JSON Schema for editors (yaml-language-server, VS Code), generated from the zod schema: one source of truth. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://github.com/breakglass/breakglass/schema/breakglass.config.schema.json',
    title: 'breakglass configuration',
  };
}
