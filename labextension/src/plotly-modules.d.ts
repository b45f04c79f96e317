// plotly.js-dist-min ships no typings; the calls used are typed in plotly.ts.
declare module 'plotly.js-dist-min';
