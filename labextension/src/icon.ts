import { LabIcon } from '@jupyterlab/ui-components';

// A lab flask: experiments. The jp-icon3 classes let the theme recolour it.
const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16">
  <g fill="none">
    <path class="jp-icon3" stroke="#616161" stroke-width="1.7" stroke-linecap="round"
      stroke-linejoin="round" d="M8.5 3h7M10 3v6.2l-5.1 9a2 2 0 0 0 1.7 2.8h10.8a2 2 0 0 0 1.7-2.8l-5.1-9V3"/>
  </g>
  <path class="jp-icon3" fill="#616161" d="M7.7 15h8.6l1.7 3a.7.7 0 0 1-.6 1H6.6a.7.7 0 0 1-.6-1z"/>
</svg>`;

export const mlopsIcon = new LabIcon({ name: 'mlops-lab:icon', svgstr: svg });
