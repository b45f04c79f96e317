// Extra build settings merged into @jupyter/builder's config (package.json jupyterlab.webpackConfig).
const { rspack } = require('@rspack/core');

module.exports = {
  optimization: {
    // plotly.js-dist-min ships minified: minifying its 4 MB again only costs build time.
    minimizer: [
      new rspack.SwcJsMinimizerRspackPlugin({ exclude: /plotly/ }),
      new rspack.LightningCssMinimizerRspackPlugin()
    ]
  },
  performance: {
    // The plotly chunk is large by nature and loads only when a chart is drawn.
    assetFilter: name => !/^plotly\./.test(name) && !name.endsWith('.map')
  }
};
