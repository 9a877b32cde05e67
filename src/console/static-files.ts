/** The console's only static files, served by the gateway itself (no CDN, no build step). */

// Colours: text #1a1a1a on #ffffff (contrast 17:1), links #0b4f8a (8.6:1), focus ring 3 px.
export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.5;font-size:1rem}
header{background:#f2f4f7;border-bottom:1px solid #8a94a3;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
.marke{font-weight:700;margin:0}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0}
a{color:#0b4f8a}
a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
a:focus,button:focus,input:focus,select:focus,main:focus{outline:3px solid #b35900;outline-offset:2px}
.skip{position:absolute;left:-10000px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
.abmelden{margin-left:auto;display:flex;gap:.5rem;align-items:center}
.abmelden p{margin:0}
main{padding:1rem;max-width:80rem}
table{border-collapse:collapse;margin:1rem 0;width:100%}
caption{text-align:left;font-weight:700;padding:.25rem 0}
th,td{border:1px solid #8a94a3;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}
form.felder{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.75rem;align-items:end;margin:1rem 0}
label{display:block;font-weight:600}
form.felder input,form.felder select{width:100%}
input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid #5c6673;border-radius:3px}
button{background:#0b4f8a;color:#fff;border-color:#0b4f8a;cursor:pointer}
button.sekundaer{background:#fff;color:#0b4f8a}
.pflicht{font-weight:400}
.hinweis{padding:.5rem 1rem;border-left:6px solid}
.hinweis.ok{border-color:#1e6b2f;background:#eef7f0}
.hinweis.fehler{border-color:#a4161a;background:#fbeeee}
ol.zeitleiste{border-left:3px solid #0b4f8a;padding-left:1.5rem}
ol.zeitleiste li{margin-bottom:.75rem}
.balken{border:1px solid #5c6673;vertical-align:middle}
.o-hit{background:#1e6b2f;fill:#1e6b2f}.o-list{background:#2f7fbf;fill:#2f7fbf}.o-none{background:#6b6b6b;fill:#6b6b6b}.o-rejected{background:#b35900;fill:#b35900}.o-technical{background:#a4161a;fill:#a4161a}
.legende span{display:inline-block;width:.9rem;height:.9rem;margin:0 .25rem 0 .75rem;vertical-align:middle}
`;

/**
 * Live status: refreshes the status table every 10 s and can be paused (WCAG 2.2.2); the page
 * works without it.
 */
export const STATUS_JS = `
(function(){
  var region=document.getElementById('live');var button=document.getElementById('pause');
  if(!region||!button)return;var paused=false;
  button.hidden=false;
  button.addEventListener('click',function(){paused=!paused;button.textContent=paused?'Aktualisierung fortsetzen':'Aktualisierung anhalten';button.setAttribute('aria-pressed',String(paused));});
  setInterval(function(){
    if(paused)return;
    fetch(location.pathname,{credentials:'same-origin'}).then(function(r){return r.text();}).then(function(t){
      var doc=new DOMParser().parseFromString(t,'text/html');var next=doc.getElementById('live');
      if(next)region.innerHTML=next.innerHTML;
    }).catch(function(){});
  },10000);
})();
`;
