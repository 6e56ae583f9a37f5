import type { INodeProperties } from 'n8n-workflow';

/** How an AI node runs its service job: wait here for the result, or queue it and go on. */
export function executionProperties(what: string): INodeProperties[] {
	return [
		{
			displayName: 'Execution',
			name: 'execution',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Wait for Result',
					value: 'wait',
					description: `Output ${what} once the service has finished (polled with short requests, so long generations work)`,
				},
				{
					name: 'Queue Only',
					value: 'queue',
					description: 'Output the job at once ({ jobId, projectId, taskId }); the service posts the result to the Callback URL when done',
				},
			],
			default: 'wait',
			description: 'Whether the node waits here for the job to finish, or queues it and goes on at once',
		},
		{
			displayName: 'Callback URL',
			name: 'callbackUrl',
			type: 'string',
			default: '',
			placeholder: '={{ $execution.resumeUrl }}',
			description: 'Where the service POSTs the result when the job ends. With {{ $execution.resumeUrl }} a Wait node set to "On Webhook Call" goes on with it.',
			displayOptions: { show: { execution: ['queue'] } },
		},
		{
			displayName: 'Wait Timeout (Seconds)',
			name: 'waitTimeoutSeconds',
			type: 'number',
			default: 3600,
			typeOptions: { minValue: 0 },
			description: 'Longest wait for the result, all model calls and test runs included; 0 means no limit. The job goes on in the service when the wait ends.',
			displayOptions: { show: { execution: ['wait'] } },
		},
	];
}
