// recharts ships computeData's types apart from its module: the Sankey layout test calls it as the chart does.
declare module "recharts/es6/chart/Sankey" {
  export { computeData } from "recharts/types/chart/Sankey";
}
