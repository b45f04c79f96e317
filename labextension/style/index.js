import './base.css';
import './datasets.css';
import './features.css';
import './models.css';
import './pipelines.css';
