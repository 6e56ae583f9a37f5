// The client's approval of a plan (a project's settings.approval "plan") and the client portal's
// links: the decision's body, what the project keeps of the latest decision, the link's body and answer.

/** What the client (or the operator for them) decides on a plan awaiting approval. */
export const APPROVAL_DECISIONS = ['approve', 'request_changes'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/** Who decided: the HTTP API (an operator, a Project State node), the operator dashboard or the client portal. */
export const APPROVAL_SOURCES = ['api', 'dashboard', 'portal'] as const;
export type ApprovalSource = (typeof APPROVAL_SOURCES)[number];

/** A decision's comment, in characters: what the planner is shown when changes were requested. */
export const APPROVAL_LIMITS = Object.freeze({ maxCommentLength: 4000 });

/** POST /api/projects/:id/approval (and the portal's and the dashboard's forms). */
export interface ApprovalBody {
	decision: ApprovalDecision;
	/** What should change (request_changes) or a note (approve); the planner plans again with it, fenced. */
	comment?: string;
}

export const approvalBodySchema = {
	type: 'object',
	additionalProperties: false,
	required: ['decision'],
	properties: {
		decision: { type: 'string', enum: [...APPROVAL_DECISIONS] },
		comment: { type: 'string', maxLength: APPROVAL_LIMITS.maxCommentLength },
	},
} as const;

/** The latest decision on the project's plan, kept on the project (`approval`); absent until one was made. */
export interface PlanApproval {
	decision: ApprovalDecision;
	/** Absent when none was given. */
	comment?: string;
	source: ApprovalSource;
	at: string;
	/** How many times changes were requested so far (the planner's rounds after the first plan). */
	changeRequests: number;
}

export const planApprovalSchema = {
	type: 'object',
	additionalProperties: false,
	required: ['decision', 'source', 'at', 'changeRequests'],
	properties: {
		decision: { type: 'string', enum: [...APPROVAL_DECISIONS] },
		comment: { type: 'string', maxLength: APPROVAL_LIMITS.maxCommentLength },
		source: { type: 'string', enum: [...APPROVAL_SOURCES] },
		at: { type: 'string' },
		changeRequests: { type: 'integer', minimum: 0 },
	},
} as const;

/** POST /api/projects/:id/portal-link: how long the link lasts (bounds and default: runtime/config/defaults.ts PORTAL_LINK). */
export interface PortalLinkBody {
	expiresInHours?: number;
}

/** What POST /api/projects/:id/portal-link answers: a link to send the client, relative to the service's address. */
export interface PortalLink {
	/** `/portal/<projectId>?t=<token>`. */
	url: string;
	/** ISO 8601. */
	expiresAt: string;
}

/** What the portal's routes add to a project's event log (decisions log `project.approval_decided`). */
export const PORTAL_EVENT_TYPES = {
	/** `{ expiresAt }`: a portal link was made (POST /api/projects/:id/portal-link). */
	linkCreated: 'portal.link_created',
	/** `{}`: every portal link of the project made so far was revoked. */
	linksRevoked: 'portal.links_revoked',
} as const;
