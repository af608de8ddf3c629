package dytrain.sweep;

import dytrain.config.DytrainException;

/**
 * One trained model for a scaling-law fit: N parameters trained on D tokens reached loss L (nats per token).
 * Which parameter count N is, is the caller's choice; the sweep's results table gives the total
 * (Hoffmann et al. 2022 count every parameter).
 */
public record ScalingPoint(double params, double tokens, double loss) {
  public ScalingPoint {
    if (!(params > 0) || !(tokens > 0) || !(loss > 0) || Double.isInfinite(params + tokens + loss)) {
      throw new DytrainException("a scaling point needs positive finite params, tokens and loss; got params=" + params
          + " tokens=" + tokens + " loss=" + loss);
    }
  }
}
