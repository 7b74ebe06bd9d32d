/** The JSON Schema of the descriptor, generated from the zod schema (the bridge validates against it). */
import { z } from 'zod';
import { descriptorSchema } from './schema';

/**
 * The JSON Schema text committed as pipeline/descriptor.schema.json. Draft-07, because every common
 * Java validator supports it.
 */
export function descriptorJsonSchemaText(): string {
  const schema = z.toJSONSchema(descriptorSchema, { target: 'draft-7' });
  return `${JSON.stringify(
    { ...schema, $id: 'https://ticker.dev/pipeline/descriptor.schema.json', title: 'Pipeline descriptor' },
    null,
    2,
  )}\n`;
}
