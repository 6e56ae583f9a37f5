import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ProjectStore } from '../../../runtime/index';
import * as addEvent from './addEvent.operation';
import * as addUsage from './addUsage.operation';
import * as archive from './archive.operation';
import * as create from './create.operation';
import * as deleteProject from './delete.operation';
import * as get from './get.operation';
import * as getEvents from './getEvents.operation';
import * as list from './list.operation';
import * as publish from './publish.operation';
import * as recordTaskResult from './recordTaskResult.operation';
import * as setPlan from './setPlan.operation';
import * as startTask from './startTask.operation';
import * as updateStatus from './updateStatus.operation';

/** One operation of the node: the fields it shows, and what it does for one input item. */
export interface ProjectStateOperation {
	description: INodeProperties[];
	execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject | IDataObject[]>;
}

/** By the `operation` parameter's value. */
export const operations = {
	addEvent,
	addUsage,
	archive,
	create,
	delete: deleteProject,
	get,
	getEvents,
	list,
	publish,
	recordTaskResult,
	setPlan,
	startTask,
	updateStatus,
} satisfies Record<string, ProjectStateOperation>;

export type OperationName = keyof typeof operations;

/** Operations that change a project, and so take Expected Version. */
export const VERSIONED_OPERATIONS: OperationName[] = ['addUsage', 'archive', 'delete', 'recordTaskResult', 'setPlan', 'startTask', 'updateStatus'];

/** Every operation's fields, each shown only for its operation. */
export const operationFields: INodeProperties[] = Object.values(operations).flatMap((operation) => operation.description);
