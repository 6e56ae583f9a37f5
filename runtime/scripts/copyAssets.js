// tsc copies no templates or scripts: the prompts, Lua scripts and the pages' static files the runtime reads at run time go beside the compiled code.
const { cpSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
for (const folder of ['prompts', join('state', 'lua'), join('ui', 'static')]) {
	cpSync(join(root, folder), join(root, 'dist', folder), { recursive: true, filter: (path) => !path.endsWith('.ts') });
}
