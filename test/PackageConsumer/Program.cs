// Trains and scores with MLNet.ConvNet as a package user does: MNIST folder as the first argument.
using Microsoft.ML;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;

var ml = new MLContext(seed: 1);
var train = MnistDataset.Load(ml, args[0], MnistSplit.Train, maxRows: 2000);
var test = MnistDataset.Load(ml, args[0], MnistSplit.Test, maxRows: 500);
using var model = ml.MulticlassClassification.Trainers.ConvNet(architecture: "LeNot", epochs: 2).Fit(train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"package consumer: LeNot, 2 epochs on 2,000 images, {metrics.MicroAccuracy:P1} on 500 test images (chance: 10%)");
return metrics.MicroAccuracy > 0.5 ? 0 : 1;
