const {Parser, Language, Query} = require('web-tree-sitter');
(async()=>{
 await Parser.init();
 const lang = await Language.load('node_modules/tree-sitter-python/tree-sitter-python.wasm');
 const p = new Parser(); p.setLanguage(lang);
 const tree = p.parse('s = "héllo😀"; x = f(a)\n');
 const call = tree.rootNode.descendantsOfType('call')[0];
 console.log(call.startIndex, call.startPosition, call.text);
 const fs=require('fs');
 const nb=JSON.parse(fs.readFileSync('../shared/corpus/ageron__handson-ml2/02_end_to_end_machine_learning_project.ipynb','utf8'));
 const srcs=nb.cells.filter(c=>c.cell_type=='code').map(c=>c.source.join(''));
 let t=performance.now(); let n=0;
 for (const s of srcs){ const tr=p.parse(s); n++; tr.delete(); }
 console.log('parse', srcs.length, performance.now()-t);
 t=performance.now(); let cnt=0;
 for (const s of srcs){ const tr=p.parse(s); const c=tr.walk(); 
   let more=true; while(more){ cnt++; const ty=c.nodeType; if(c.gotoFirstChild()) continue; while(!c.gotoNextSibling()){ if(!c.gotoParent()){more=false;break;} } }
   c.delete(); tr.delete(); }
 console.log('walk', cnt, performance.now()-t);
 const q = new Query(lang, '(call) @c (import_statement) @i (import_from_statement) @f (assignment) @a');
 t=performance.now(); cnt=0;
 for (const s of srcs){ const tr=p.parse(s); const caps=q.captures(tr.rootNode); cnt+=caps.length; tr.delete(); }
 console.log('query', cnt, performance.now()-t);
})();
