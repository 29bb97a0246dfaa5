// Node module hooks for baileys_kinds.mjs: baileys_chat.mjs's import of 'baileys' resolves to
// baileys_socket_shim.mjs, which hands each socket it makes to the script that registered
// these hooks. Every other import resolves as usual.
const SHIM = new URL('./baileys_socket_shim.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'baileys' && context.parentURL?.endsWith('/baileys_chat.mjs')) {
    return { url: SHIM, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
