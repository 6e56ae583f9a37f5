import type { ProjectEvent } from '../contracts/project';

/** An event as the store writes it, before Redis gives it an id. */
export type EventEntry = Omit<ProjectEvent, 'id'>;

/** The field/value list for XADD. Data goes as one JSON field: streams hold flat strings only. */
export function toStreamFields(event: EventEntry): string[] {
	const fields = ['time', event.time, 'type', event.type, 'source', event.source];
	if (event.version !== undefined) fields.push('version', String(event.version));
	fields.push('data', JSON.stringify(event.data));
	return fields;
}

/** One XRANGE entry, `[id, [field, value, ...]]`, back as an event. */
export function fromStreamEntry([id, flat]: [string, string[]]): ProjectEvent {
	const fields = new Map<string, string>();
	for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
	const event: ProjectEvent = {
		id,
		time: fields.get('time') ?? '',
		type: fields.get('type') ?? '',
		source: fields.get('source') ?? '',
		data: JSON.parse(fields.get('data') ?? '{}') as Record<string, unknown>,
	};
	const version = fields.get('version');
	if (version !== undefined) event.version = Number(version);
	return event;
}
