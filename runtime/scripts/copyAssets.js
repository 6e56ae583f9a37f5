// tsc copies no templates or scripts: the prompts and Lua scripts the runtime reads at run time go beside the compiled code.
const { cpSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
for (const folder of ['prompts', join('state', 'lua')]) {
	cpSync(join(root, folder), join(root, 'dist', folder), { recursive: true, filter: (path) => !path.endsWith('.ts') });
}
