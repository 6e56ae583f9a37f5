import Ajv, { type ErrorObject, type SchemaObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// Nothing is converted behind the client's back: a body is valid as sent or refused naming the
// field (no coercion of "false" to false or 42 to "42"), and unknown fields are refused, never
// dropped. Defaults fill what was left out.
const ajv = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false, allowUnionTypes: true });

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * A query or path value is text: the ones a schema declares numbers or booleans are converted
 * here, deliberately and only from their plain spelling (`5`, `0.5`, `true`, `false`); anything else
 * (`Infinity`, `1e309`, `0x10`, ` 5`) stays text, which the schema then refuses naming the field.
 */
export function convertText(schema: SchemaObject, data: unknown): void {
	const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
	if (typeof data !== 'object' || data === null) return;
	const values = data as Record<string, unknown>;
	for (const [name, property] of Object.entries(properties)) {
		const value = values[name];
		if (typeof value !== 'string') continue;
		if ((property.type === 'number' || property.type === 'integer') && DECIMAL.test(value) && Number.isFinite(Number(value))) values[name] = Number(value);
		else if (property.type === 'boolean' && (value === 'true' || value === 'false')) values[name] = value === 'true';
	}
}

/** fastify's validator compiler for every route: bodies strictly as sent, query strings and path parameters through convertText. */
export const validatorCompiler: FastifySchemaCompiler<SchemaObject> = ({ schema, httpPart }) => {
	const validate = ajv.compile(schema);
	if (httpPart === 'body') return validate;
	const check = Object.assign(
		(data: unknown) => {
			convertText(schema, data);
			const valid = validate(data);
			check.errors = validate.errors;
			return valid;
		},
		{ errors: null as ErrorObject[] | null | undefined },
	);
	return check;
};
