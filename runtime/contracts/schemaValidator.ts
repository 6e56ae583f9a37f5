import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** Problems with `value` against `schema`, phrased for a model (and a person) to act on; [] when valid. */
export function schemaProblems(schema: object, value: unknown): string[] {
	let validate = compiled.get(schema);
	if (!validate) {
		validate = ajv.compile(schema);
		compiled.set(schema, validate);
	}
	if (validate(value)) return [];
	return (validate.errors ?? []).map(describeError);
}

function describeError(error: ErrorObject): string {
	const where = error.instancePath || '(the top level)';
	if (error.keyword === 'required') {
		return `${where} is missing the required field "${String(error.params.missingProperty)}"`;
	}
	if (error.keyword === 'type') return `${where} must be of type ${String(error.params.type)}`;
	if (error.keyword === 'enum') {
		const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
		return `${where} must be one of ${allowed}`;
	}
	if (error.keyword === 'additionalProperties') {
		return `${where} has the field "${String(error.params.additionalProperty)}", which is not allowed here`;
	}
	return `${where} ${error.message ?? 'is invalid'}`;
}
